/**
 * A value that config accepts must be accepted by the module that uses it, and a value the
 * module refuses must be refused at start-up, naming the variable. One case per rule that
 * used to differ between config.ts and an adapter.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  MAX_MESSAGE_BYTES,
  redactUrl,
  resolveBrokerOptions,
} from '../../src/messaging/broker-options.js';
import { MAX_DELIVERY_LIMIT, topologyNames } from '../../src/messaging/topology.js';
import { DEFAULT_XML_LIMITS, resolveXmlLimits } from '../../src/opencast/xml-limits.js';
import { assertUploadOptions } from '../../src/storage/upload-plan.js';

const logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/** What Broker.connect would make of the config's AMQP settings; throws like it would. */
function brokerOptionsOf(env: Record<string, string>) {
  const config = loadConfig(env);
  return resolveBrokerOptions(
    {
      url: config.amqp.urls,
      prefix: config.amqp.prefix,
      deliveryLimit: config.amqp.deliveryLimit,
      replyQueueExpiresMs: config.amqp.replyQueueExpiresMs,
      // As service.ts sizes it.
      maxBodyBytes: config.maxBodyBytes * 2 + 64 * 1024,
      logger,
    },
    'test',
  );
}

function accepted(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch {
    return false;
  }
}

describe('AMQP_PREFIX and the topology agree', () => {
  it.each([
    // Config used to accept these, the topology refused them at connect.
    '_ocs3',
    '_',
    // Config used to refuse these, the topology accepts them.
    'tenant:ocs3',
    'p'.repeat(200),
    // Both refuse.
    '-x',
    'a b',
    'p'.repeat(201),
    // Both accept.
    'ocs3',
    'a.b-c_d',
  ])('on %j', (prefix) => {
    const byConfig = accepted(() => loadConfig({ AMQP_PREFIX: prefix }));
    expect(byConfig).toBe(accepted(() => topologyNames(prefix)));
    if (byConfig) expect(brokerOptionsOf({ AMQP_PREFIX: prefix }).prefix).toBe(prefix);
    else expect(() => loadConfig({ AMQP_PREFIX: prefix })).toThrow(/AMQP_PREFIX/);
  });
});

describe('AMQP_DELIVERY_LIMIT and the broker agree', () => {
  it('accepts the largest limit in both places', () => {
    const limit = String(MAX_DELIVERY_LIMIT);
    expect(brokerOptionsOf({ AMQP_DELIVERY_LIMIT: limit }).deliveryLimit).toBe(MAX_DELIVERY_LIMIT);
  });

  it('refuses one more in both places (the broker used to allow up to 10,000)', () => {
    const over = MAX_DELIVERY_LIMIT + 1;
    expect(() => loadConfig({ AMQP_DELIVERY_LIMIT: String(over) })).toThrow(/AMQP_DELIVERY_LIMIT/);
    expect(() =>
      resolveBrokerOptions({ url: 'amqp://h', prefix: 'p', deliveryLimit: over, logger }, 'test'),
    ).toThrow(/deliveryLimit/);
  });
});

describe('AMQP_URL and the broker agree', () => {
  it('refuses at start-up a URL the broker cannot parse, without showing the password', () => {
    const url = 'amqp://u:hunter2@[bad';
    expect(() => redactUrl(url)).toThrow();
    let message = '';
    try {
      loadConfig({ AMQP_URL: url });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/AMQP_URL: is not a valid URL/);
    expect(message).not.toContain('hunter2');
  });
});

describe('MAX_BODY_BYTES and the broker message limit agree', () => {
  it('accepts the largest body whose command still fits one message', () => {
    const ceiling = Math.floor((MAX_MESSAGE_BYTES - 64 * 1024) / 2);
    const options = brokerOptionsOf({ MAX_BODY_BYTES: String(ceiling) });
    expect(options.maxBodyBytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('refuses at start-up a body limit the broker would refuse at connect', () => {
    const over = Math.floor((MAX_MESSAGE_BYTES - 64 * 1024) / 2) + 1;
    expect(() => loadConfig({ MAX_BODY_BYTES: String(over) })).toThrow(/MAX_BODY_BYTES/);
  });
});

describe('MAX_XML_BYTES / MAX_XML_DEPTH and the XML reader agree', () => {
  it('share the default (config said 5 MiB, the reader 10 MiB)', () => {
    expect(loadConfig({}).xmlLimits).toEqual(DEFAULT_XML_LIMITS);
    expect(resolveXmlLimits()).toEqual(DEFAULT_XML_LIMITS);
  });

  it.each([
    ['MAX_XML_DEPTH', '1000', 'maxDepth'],
    ['MAX_XML_DEPTH', '1001', 'maxDepth'],
    ['MAX_XML_DEPTH', '4096', 'maxDepth'],
    ['MAX_XML_DEPTH', '1', 'maxDepth'],
    ['MAX_XML_DEPTH', '0', 'maxDepth'],
    ['MAX_XML_BYTES', '1', 'maxBytes'],
    ['MAX_XML_BYTES', '0', 'maxBytes'],
  ] as const)('on %s=%s', (variable, value, limit) => {
    const byConfig = accepted(() => loadConfig({ [variable]: value }));
    expect(byConfig).toBe(accepted(() => resolveXmlLimits({ [limit]: Number(value) })));
    if (byConfig) {
      const { xmlLimits } = loadConfig({ [variable]: value });
      expect(resolveXmlLimits(xmlLimits)).toEqual(xmlLimits);
    } else {
      expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
    }
  });
});

describe('S3_PART_SIZE_MB / S3_UPLOAD_QUEUE_SIZE and the object store agree', () => {
  it.each([
    ['4', '4'],
    ['5', '4'],
    ['5120', '64'],
    ['5121', '4'],
    ['8', '65'],
    ['8', '0'],
  ])('on %s MiB x %s', (partMb, queue) => {
    const env = { S3_PART_SIZE_MB: partMb, S3_UPLOAD_QUEUE_SIZE: queue };
    const byConfig = accepted(() => loadConfig(env));
    const byStore = accepted(() => {
      assertUploadOptions(Number(partMb) * 1024 * 1024, Number(queue));
    });
    expect(byConfig).toBe(byStore);
  });
});

describe('REPLY_QUEUE_EXPIRES_MS and the broker agree', () => {
  it.each(['10000', '10001', '86400000', '86400001'])('%s', (value) => {
    const byConfig = accepted(() => loadConfig({ REPLY_QUEUE_EXPIRES_MS: value }));
    const byBroker = accepted(() => brokerOptionsOf({ REPLY_QUEUE_EXPIRES_MS: value }));
    expect(byConfig).toBe(Number(value) > 10_000 && Number(value) <= 86_400_000);
    if (byConfig) expect(byBroker).toBe(true);
  });
});
