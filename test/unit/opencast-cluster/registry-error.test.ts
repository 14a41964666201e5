import { describe, expect, it } from 'vitest';
import { statusError, transportError } from '../../../src/opencast-cluster/registry-error.js';

describe('registry error classification', () => {
  it.each([
    [500, 'REGISTRY_UNAVAILABLE', true],
    [502, 'REGISTRY_UNAVAILABLE', true],
    [503, 'REGISTRY_UNAVAILABLE', true],
    [400, 'REGISTRY_REJECTED', false],
    [401, 'REGISTRY_REJECTED', false],
    [404, 'REGISTRY_REJECTED', false],
    [302, 'REGISTRY_REJECTED', false],
  ])('HTTP %i is %s (retryable: %s)', (status, code, retryable) => {
    const error = statusError('GET /services/hosts.xml', status);
    expect(error).toMatchObject({ code, retryable, status });
    expect(error.message).toBe(`GET /services/hosts.xml answered HTTP ${status}`);
  });

  it('takes timeouts and network failures as retryable', () => {
    const timeout = transportError('PUT /x', new DOMException('late', 'TimeoutError'));
    expect(timeout).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retryable: true });
    expect(timeout.message).toBe('PUT /x timed out');
    const network = transportError('PUT /x', new TypeError('fetch failed'));
    expect(network).toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retryable: true,
      status: undefined,
    });
    expect(network.cause).toBeInstanceOf(TypeError);
  });
});
