import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/opencast-cluster/registry-client.js';
import { startFakeRegistry, type FakeRegistry } from './fake-registry.js';

const H = 'https://s3dist.example.org';
const HOST_INFO = { address: '10.0.0.5', nodeName: 's3', memory: 1024, cores: 2, maxLoad: 4 };

describe.each([
  ['RFC 2069 (no qop)', false],
  ['qop=auth', true],
])('Digest against the registry, %s', (_name, qop) => {
  let registry: FakeRegistry;
  let client: RegistryClient;

  beforeEach(async () => {
    registry = await startFakeRegistry({ qop });
    client = new RegistryClient({
      baseUrl: registry.address,
      username: registry.user,
      password: registry.password,
      host: H,
    });
  });
  afterEach(() => registry.close());

  it('answers the first challenge, sending the form again, then reuses the nonce', async () => {
    await client.registerHost(HOST_INFO);
    expect(registry.seen.map((r) => r.auth)).toEqual(['none', 'ok']);
    const [probe, answer] = registry.seen;
    expect(answer?.form.toString()).toBe(probe?.form.toString());
    expect(answer?.form.get('host')).toBe(H);
    expect(registry.hosts.get(H)?.form.get('maxLoad')).toBe('4');

    await client.listHosts();
    await client.setMaintenance(true);
    // No probe any more: one authorized request per call.
    expect(registry.seen.slice(2).map((r) => r.auth)).toEqual(['ok', 'ok']);
    expect(registry.seen.every((r) => r.headers['x-requested-auth'] === 'Digest')).toBe(true);
    expect(registry.hosts.get(H)?.maintenance).toBe(true);
  });

  it('answers a stale nonce once with the new challenge', async () => {
    await client.registerHost(HOST_INFO);
    registry.expireNonces();
    expect(await client.listHosts()).toEqual([H]);
    expect(registry.seen.slice(2).map((r) => r.auth)).toEqual(['stale', 'ok']);
  });
});

describe('Digest with a wrong password', () => {
  let registry: FakeRegistry;
  beforeEach(async () => {
    registry = await startFakeRegistry();
  });
  afterEach(() => registry.close());

  it('gives up after one answered challenge with a terminal error', async () => {
    const client = new RegistryClient({
      baseUrl: registry.address,
      username: registry.user,
      password: 'wrong',
      host: H,
    });
    await expect(client.listHosts()).rejects.toMatchObject({
      code: 'REGISTRY_REJECTED',
      retryable: false,
      status: 401,
    });
    expect(registry.seen.map((r) => r.auth)).toEqual(['none', 'denied']);
  });
});
