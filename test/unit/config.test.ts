import { describe, expect, it } from 'vitest';
import { loadCliSettings, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('runs out of the box: all roles, local broker, embedded S3', () => {
    const config = loadConfig({});
    expect(config.role).toBe('all');
    expect(config.runsApi && config.runsWorker).toBe(true);
    expect(config.amqp.url).toBe('amqp://guest:guest@127.0.0.1:5672?heartbeat=30');
    expect(config.s3.embedded).toEqual({ directory: './data/s3', host: '127.0.0.1', port: 4568 });
    expect(config.s3.bucket).toBe('opencast-distribution');
    expect(config.http.publicUrl).toBe('http://127.0.0.1:8080');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.progressIntervalMs).toBe(2000);
    expect(loadConfig({ PROGRESS_INTERVAL_MS: '0' }).progressIntervalMs).toBe(0);
  });

  it.each([
    [{ HTTP_PORT: 'eighty' }, /HTTP_PORT/],
    [{ HTTP_PORT: '70000' }, /HTTP_PORT/],
    [{ ROLE: 'boss' }, /ROLE/],
    [{ AMQP_URL: 'http://x' }, /AMQP_URL/],
    [{ S3_ENDPOINT: 'ftp://x' }, /S3_ENDPOINT/],
    [{ S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'b' }, /DISTRIBUTION_BASE_URL/],
    [{ S3_ACCESS_KEY_ID: 'a' }, /S3_SECRET_ACCESS_KEY/],
    [{ S3_PUBLIC_READ: 'maybe' }, /S3_PUBLIC_READ/],
    [{ S3_ORG_BUCKETS: 'novalue' }, /S3_ORG_BUCKETS/],
    [{ WORKER_CONCURRENCY: '0' }, /WORKER_CONCURRENCY/],
    [{ SOURCE_USERNAME: 'u', SOURCE_PASSWORD: 'p' }, /SOURCE_CREDENTIAL_PREFIXES/],
    [{ SOURCE_AUTH_SCHEMES: 'ntlm' }, /SOURCE_AUTH_SCHEMES/],
    [{ AUTH_DIGEST_USER: 'u' }, /AUTH_DIGEST_PASSWORD/],
    [{ AMQP_PREFIX: '-x' }, /AMQP_PREFIX/],
    [{ PROGRESS_INTERVAL_MS: '50' }, /PROGRESS_INTERVAL_MS: must be 0 \(off\) or from 100/],
    [{ PROGRESS_INTERVAL_MS: '-1' }, /PROGRESS_INTERVAL_MS/],
    [{ PROGRESS_INTERVAL_MS: '2s' }, /PROGRESS_INTERVAL_MS/],
    [{ PROGRESS_INTERVAL_MS: '3600001' }, /PROGRESS_INTERVAL_MS/],
    [{ REDIS_URL: 'http://redis:6379' }, /REDIS_URL/],
    [{ REDIS_KEY_PREFIX: 'a b' }, /REDIS_KEY_PREFIX/],
    [{ JOB_TTL_SECONDS: '0' }, /JOB_TTL_SECONDS/],
    [{ JOB_MAX_BYTES: '100' }, /JOB_MAX_BYTES/],
    [{ REPLY_QUEUE_EXPIRES_MS: '5000' }, /REPLY_QUEUE_EXPIRES_MS/],
    [{ AUTH_DIGEST_USER: 'u', AUTH_DIGEST_PASSWORD: 'pässwort' }, /AUTH_DIGEST_PASSWORD/],
    [{ AUTH_DIGEST_SECRET: 'c2hvcnQ=' }, /AUTH_DIGEST_SECRET/],
    [{ S3_ENDPOINT: 'http://m:9000', DISTRIBUTION_BASE_URL: 'http://m:9000/b/' }, /S3_BUCKET/],
  ])('names the variable of a bad value %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads lists and pairs', () => {
    const config = loadConfig({
      SOURCE_ALLOWED_PREFIXES: 'http://a.example/files/, https://b.example/',
      SOURCE_SHARED_STORAGE: 'http://oc.example/files/=/srv/opencast/files',
      SOURCE_USERNAME: 'opencast_system_account',
      SOURCE_PASSWORD: 'CHANGE_ME',
      SOURCE_CREDENTIAL_PREFIXES: 'http://oc.example/files/',
    });
    expect(config.sources.allowedUrlPrefixes).toEqual([
      'http://a.example/files/',
      'https://b.example/',
    ]);
    expect(config.sources.sharedStorage).toEqual([
      { urlPrefix: 'http://oc.example/files/', directory: '/srv/opencast/files' },
    ]);
    expect(config.sources.credentials).toEqual([
      {
        urlPrefix: 'http://oc.example/files/',
        username: 'opencast_system_account',
        password: 'CHANGE_ME',
        schemes: undefined,
      },
    ]);
  });
});

describe('S3 path style', () => {
  const base = {
    S3_ENDPOINT: 'http://minio:9000',
    DISTRIBUTION_BASE_URL: 'http://m/b/',
    S3_BUCKET: 'b',
  };

  it('is left to the client (path style for custom endpoints) unless set', () => {
    expect(loadConfig(base).s3.forcePathStyle).toBeUndefined();
    expect(loadConfig({ ...base, S3_FORCE_PATH_STYLE: 'false' }).s3.forcePathStyle).toBe(false);
    expect(loadConfig({ ...base, S3_FORCE_PATH_STYLE: 'true' }).s3.forcePathStyle).toBe(true);
  });
});

describe('empty variables', () => {
  it('count as unset, not as zero', () => {
    expect(loadConfig({ HTTP_PORT: '', WORKER_CONCURRENCY: ' ' }).http.port).toBe(8080);
  });
});

describe('secrets', () => {
  it('are kept exactly, spaces included', () => {
    const config = loadConfig({ AUTH_DIGEST_USER: 'u', AUTH_DIGEST_PASSWORD: ' two words ' });
    expect(config.auth.users.get('u')).toBe(' two words ');
  });
});

describe('AMQP_URL with the nodes of a cluster', () => {
  it('keeps every URL in order, each with the default heartbeat', () => {
    const config = loadConfig({
      AMQP_URL: 'amqp://u:p@n1:5672, amqp://u:p@n2:5672?heartbeat=10,amqps://u:p@n3',
    });
    expect(config.amqp.urls).toEqual([
      'amqp://u:p@n1:5672?heartbeat=30',
      'amqp://u:p@n2:5672?heartbeat=10',
      'amqps://u:p@n3?heartbeat=30',
    ]);
    expect(config.amqp.url).toBe('amqp://u:p@n1:5672?heartbeat=30');
  });

  it('names the bad entry without showing any password', () => {
    let message = '';
    try {
      loadConfig({ AMQP_URL: 'amqp://u:secret1@n1,http://u:secret2@n2' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/AMQP_URL: URL 2 of 2 must start with amqp:\/\/ or amqps:\/\//);
    expect(message).not.toMatch(/secret/);
  });

  it('refuses a list of nothing but commas', () => {
    expect(() => loadConfig({ AMQP_URL: ' , ,' })).toThrow(/AMQP_URL: names no broker URL/);
  });
});

describe('long-command handover', () => {
  it('hands over after 15 min and checks leases every minute by default', () => {
    expect(loadConfig({}).amqp.lease).toEqual({
      handoverAfterMs: 900_000,
      checkIntervalMs: 60_000,
      expiresMs: 180_000,
    });
  });

  it('is off with AMQP_HANDOVER_AFTER_MS=0 and refuses a check interval under 5 s', () => {
    expect(loadConfig({ AMQP_HANDOVER_AFTER_MS: '0' }).amqp.lease).toBeUndefined();
    expect(() => loadConfig({ AMQP_LEASE_CHECK_MS: '1000' })).toThrow(/AMQP_LEASE_CHECK_MS/);
  });
});

describe('AMQP heartbeat', () => {
  it('defaults to 30 s and keeps one the URL sets', () => {
    expect(loadConfig({ AMQP_URL: 'amqp://h/vh?frame_max=0' }).amqp.url).toBe(
      'amqp://h/vh?frame_max=0&heartbeat=30',
    );
    expect(loadConfig({ AMQP_URL: 'amqp://h?heartbeat=10' }).amqp.url).toBe(
      'amqp://h?heartbeat=10',
    );
  });
});

describe('job store', () => {
  it('keeps jobs in memory unless REDIS_URL is set, with keys under the AMQP prefix', () => {
    expect(loadConfig({}).jobStore).toEqual({
      redisUrl: undefined,
      keyPrefix: 'ocs3:',
      ttlSeconds: 604_800,
      maxJobBytes: 32 * 1024 * 1024,
    });
    const shared = loadConfig({ REDIS_URL: 'redis://r:6379/2', AMQP_PREFIX: 'tenant' });
    expect(shared.jobStore).toMatchObject({ redisUrl: 'redis://r:6379/2', keyPrefix: 'tenant:' });
    expect(loadConfig({}).amqp.replyQueueExpiresMs).toBe(600_000);
  });
});

describe('published URL check', () => {
  it('waits at most 10 s in all by default', () => {
    expect(loadConfig({}).availability.maxWaitMs).toBe(10_000);
    expect(loadConfig({ CHECK_AVAILABILITY_MAX_WAIT_MS: '2500' }).availability.maxWaitMs).toBe(
      2500,
    );
  });

  it.each(['abc', '-1', '50', '1.5'])('refuses CHECK_AVAILABILITY_MAX_WAIT_MS=%j', (value) => {
    expect(() => loadConfig({ CHECK_AVAILABILITY_MAX_WAIT_MS: value })).toThrow(
      /CHECK_AVAILABILITY_MAX_WAIT_MS/,
    );
  });
});

describe('LOG_FORMAT', () => {
  it('is json by default, pretty on request, and nothing else', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT: must be json or pretty/);
  });
});

describe('loadCliSettings', () => {
  it('reads the ocs3 variables and the broker as the service does', () => {
    expect(loadCliSettings({})).toEqual({
      serviceUrl: undefined,
      user: undefined,
      password: undefined,
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      amqpPrefix: 'ocs3',
    });
    expect(
      loadCliSettings({
        OCS3_URL: 'https://s3-dist.example.org/',
        OCS3_USER: ' ops ',
        OCS3_PASSWORD: ' p ',
        AMQP_URL: 'amqp://a:b@r1:5672,amqp://a:b@r2:5672',
        AMQP_PREFIX: 'p1',
      }),
    ).toEqual({
      serviceUrl: 'https://s3-dist.example.org',
      user: 'ops',
      password: ' p ',
      amqpUrl: 'amqp://a:b@r1:5672',
      amqpPrefix: 'p1',
    });
    expect(() => loadCliSettings({ OCS3_URL: 'javascript:alert(1)' })).toThrow(/OCS3_URL/);
    expect(() => loadCliSettings({ AMQP_URL: 'http://x' })).toThrow(/AMQP_URL/);
  });
});
