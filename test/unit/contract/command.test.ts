import { describe, expect, it } from 'vitest';
import { identifierSchema, isIdentifier } from '../../../src/contract/command.js';
import { decodeCommand } from '../../../src/contract/command-codec.js';
import type { AppError } from '../../../src/errors.js';

const valid = {
  version: 1,
  type: 'distribute',
  jobId: '4711',
  organization: 'mh_default_org',
  channelId: 'engage-player',
  mediapackage: '<mediapackage/>',
  elementIds: ['a', 'b'],
};

function failure(body: unknown, max = 1024 * 1024): AppError {
  try {
    decodeCommand(typeof body === 'string' ? body : JSON.stringify(body), { maxBytes: max });
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('decodeCommand', () => {
  it('accepts a distribute and defaults checkAvailability to true', () => {
    const command = decodeCommand(Buffer.from(JSON.stringify(valid)), { maxBytes: 1 << 20 });
    expect(command).toMatchObject({ type: 'distribute', checkAvailability: true });
  });

  it('accepts a retract and ignores unknown properties', () => {
    const command = decodeCommand(JSON.stringify({ ...valid, type: 'retract', futureField: 1 }), {
      maxBytes: 1 << 20,
    });
    expect(command.type).toBe('retract');
    expect(command).not.toHaveProperty('futureField');
  });

  it.each([
    ['not JSON', 'not json', /not valid JSON/],
    ['a JSON array', '[]', /Invalid command/],
    ['an unknown version', { ...valid, version: 2 }, /version/],
    ['an unknown type', { ...valid, type: 'explode' }, /type/],
    ['a missing jobId', { ...valid, jobId: undefined }, /jobId/],
    ['a non-numeric jobId', { ...valid, jobId: '12a' }, /jobId/],
    ['a jobId over int64', { ...valid, jobId: '9223372036854775808' }, /64-bit/],
    ['an empty element list', { ...valid, elementIds: [] }, /elementIds/],
    ['a repeated element id', { ...valid, elementIds: ['a', 'a'] }, /repeat/],
    ['a traversing element id', { ...valid, elementIds: ['..'] }, /elementIds/],
    ['a channel with a slash', { ...valid, channelId: 'a/b' }, /channelId/],
    ['an empty mediapackage', { ...valid, mediapackage: '' }, /mediapackage/],
    ['a string checkAvailability', { ...valid, checkAvailability: 'yes' }, /checkAvailability/],
  ])('refuses %s', (_name, body, message) => {
    const error = failure(body);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
  });

  it('refuses an oversized command before parsing it', () => {
    const error = failure({ ...valid, mediapackage: 'x'.repeat(2000) }, 1000);
    expect(error.message).toMatch(/more than 1000/);
  });
});

describe('routing key', () => {
  it('accepts a command routed under its type', () => {
    const body = JSON.stringify(valid);
    expect(decodeCommand(body, { maxBytes: 1 << 20, routingKey: 'distribute' }).type).toBe(
      'distribute',
    );
  });

  it('refuses a command routed under another key than its type', () => {
    expect(() =>
      decodeCommand(JSON.stringify(valid), { maxBytes: 1 << 20, routingKey: 'retract' }),
    ).toThrow(/type 'distribute' was published with routing key 'retract'/);
  });
});

describe('isIdentifier', () => {
  it('accepts exactly what identifierSchema accepts', () => {
    const samples: unknown[] = [
      'ok',
      'a-b_c.d:e;f(g)h@i+j~',
      '',
      '.',
      '..',
      '...',
      '.a',
      'a b',
      'a/b',
      'a\\b',
      'é',
      'a\n',
      'x'.repeat(255),
      'x'.repeat(256),
      1,
      null,
      undefined,
      ['a'],
    ];
    for (let code = 0; code < 256; code++) samples.push(String.fromCharCode(code));
    for (const value of samples) {
      expect(isIdentifier(value), JSON.stringify(value)).toBe(
        identifierSchema.safeParse(value).success,
      );
    }
  });
});
