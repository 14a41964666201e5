import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { envFromOpencastCfg, parseProperties } from '../../src/opencast-cfg.js';

const cfg = `
# Opencast's shipped file, filled in
org.opencastproject.distribution.aws.s3.distribution.enable=true
org.opencastproject.distribution.aws.s3.region=eu-central-1
org.opencastproject.distribution.aws.s3.bucket=oc-dist
org.opencastproject.distribution.aws.s3.bucket.tenant2 = oc-dist-tenant2
org.opencastproject.distribution.aws.s3.distribution.base=https://d1.cloudfront.net
org.opencastproject.distribution.aws.s3.access.id=AKIA\\
  EXAMPLE
org.opencastproject.distribution.aws.s3.secret.key: s3cr3t
org.opencastproject.distribution.aws.s3.endpoint=https://minio.example.org
org.opencastproject.distribution.aws.s3.path.style=true
! a comment
org.opencastproject.distribution.aws.s3.presigned.url=false
`;

describe('Opencast cfg file', () => {
  it('parses Java properties: separators, continuations, comments', () => {
    const props = parseProperties(cfg);
    expect(props.get('org.opencastproject.distribution.aws.s3.access.id')).toBe('AKIAEXAMPLE');
    expect(props.get('org.opencastproject.distribution.aws.s3.secret.key')).toBe('s3cr3t');
    expect(props.get('org.opencastproject.distribution.aws.s3.bucket.tenant2')).toBe(
      'oc-dist-tenant2',
    );
  });

  it('maps keys to our variables, per-organization buckets included', () => {
    const { env, enabled } = envFromOpencastCfg(cfg);
    expect(enabled).toBe(true);
    expect(env).toEqual({
      S3_REGION: 'eu-central-1',
      S3_BUCKET: 'oc-dist',
      S3_ORG_BUCKETS: 'tenant2=oc-dist-tenant2',
      DISTRIBUTION_BASE_URL: 'https://d1.cloudfront.net/',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 's3cr3t',
      S3_ENDPOINT: 'https://minio.example.org',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PRESIGNED_URLS: 'false',
    });
  });

  it('lets environment variables win over the file', () => {
    const config = loadConfig({ OPENCAST_CFG_FILE: '/x.cfg', S3_BUCKET: 'from-env' }, () => cfg);
    expect(config.s3.bucket).toBe('from-env');
    expect(config.s3.orgBuckets.get('tenant2')).toBe('oc-dist-tenant2');
    expect(config.s3.baseUrl).toBe('https://d1.cloudfront.net/');
    expect(config.s3.embedded).toBeUndefined();
  });

  it('remembers an endpoint written without a scheme, unless the environment sets one', () => {
    const bare = cfg.replace('endpoint=https://minio.example.org', 'endpoint=minio:9000');
    expect(envFromOpencastCfg(bare).withoutScheme).toEqual({ S3_ENDPOINT: 'minio:9000' });
    expect(envFromOpencastCfg(cfg).withoutScheme).toEqual({});
    const config = loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => bare);
    expect(config.s3.endpoint).toBe('https://minio:9000');
    expect(config.s3.endpointWithoutScheme).toEqual({
      setting: 'org.opencastproject.distribution.aws.s3.endpoint in /x.cfg',
      written: 'minio:9000',
    });
    const fromEnv = loadConfig(
      { OPENCAST_CFG_FILE: '/x.cfg', S3_ENDPOINT: 'http://minio:9000' },
      () => bare,
    );
    expect(fromEnv.s3.endpointWithoutScheme).toBeUndefined();
  });

  it('refuses to start a service the file disables', () => {
    const disabled = cfg.replace('distribution.enable=true', 'distribution.enable=false');
    expect(() => loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => disabled)).toThrow(
      /distribution.enable/,
    );
  });

  it('names an unreadable file', () => {
    expect(() =>
      loadConfig({ OPENCAST_CFG_FILE: '/nope.cfg' }, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(ConfigError);
  });
});

describe('Opencast cfg edge cases', () => {
  it('adds https:// to an endpoint given without a scheme, as the Java SDK does', () => {
    const { env } = envFromOpencastCfg(
      'org.opencastproject.distribution.aws.s3.endpoint=s3.eu-central-1.amazonaws.com',
    );
    expect(env.S3_ENDPOINT).toBe('https://s3.eu-central-1.amazonaws.com');
  });

  it('reads presigned.url and its validity in milliseconds, as Opencast does', () => {
    const text = `${cfg.replace('presigned.url=false', 'presigned.url=TRUE')}
org.opencastproject.distribution.aws.s3.presigned.url.valid.duration=3600000
`;
    const config = loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => text);
    expect(config.signing.s3Presign).toBe(true);
    expect(config.signing.validMs).toBe(3_600_000);
    expect(config.opencastCfg?.applied).toContain(
      'org.opencastproject.distribution.aws.s3.presigned.url -> S3_PRESIGNED_URLS',
    );
  });

  it('leaves presigning off for anything but true, and defaults to 6 hours', () => {
    const text = cfg.replace('presigned.url=false', 'presigned.url=yes');
    const config = loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => text);
    expect(config.signing.s3Presign).toBe(false);
    expect(config.signing.validMs).toBe(21_600_000);
  });

  it('caps a validity over 7 days with a note, and refuses one that is no number', () => {
    const key = 'org.opencastproject.distribution.aws.s3.presigned.url.valid.duration';
    const long = loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => `${cfg}\n${key}=999999999999\n`);
    expect(long.signing.validMs).toBe(604_800_000);
    expect(long.opencastCfg?.notes.join()).toMatch(/over 7 days; capped at 604800000/);
    expect(() => loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => `${cfg}\n${key}=6h\n`)).toThrow(
      `${key}: must be a whole number of milliseconds, not "6h"`,
    );
    expect(() => loadConfig({ OPENCAST_CFG_FILE: '/x.cfg' }, () => `${cfg}\n${key}=10\n`)).toThrow(
      new RegExp(`${key.replaceAll('.', '\\.')} in /x.cfg: Too small`),
    );
  });
});

describe('errors about values from the cfg file', () => {
  const file = '/etc/opencast/s3.cfg';
  const load =
    (text: string, env: Record<string, string> = {}) =>
    () =>
      loadConfig({ OPENCAST_CFG_FILE: file, ...env }, () => text);

  it('name the cfg key the admin wrote and the file, not our variable', () => {
    const text = cfg.replace(
      'distribution.base=https://d1.cloudfront.net',
      'distribution.base=ftp://d1',
    );
    expect(load(text)).toThrow(
      `org.opencastproject.distribution.aws.s3.distribution.base in ${file}: must be an http(s) URL`,
    );
    expect(load(text)).not.toThrow(/DISTRIBUTION_BASE_URL/);
  });

  it('name the variable when the environment set the value over the file', () => {
    expect(load(cfg, { DISTRIBUTION_BASE_URL: 'd1' })).toThrow(
      /^Invalid configuration:\n {2}DISTRIBUTION_BASE_URL: must be an http\(s\) URL$/,
    );
  });

  it('name the cfg key of a number out of range', () => {
    const text = `${cfg}\norg.opencastproject.distribution.aws.s3.max.connections=0\n`;
    expect(load(text)).toThrow(
      `org.opencastproject.distribution.aws.s3.max.connections in ${file}`,
    );
  });

  it('name every per-organization bucket key for a bad S3_ORG_BUCKETS', () => {
    const text = `${cfg}\norg.opencastproject.distribution.aws.s3.bucket.=x\n`;
    expect(load(text)).toThrow(/org\.opencastproject\.distribution\.aws\.s3\.bucket\.tenant2/);
  });

  it('name the cfg keys of a half-given credential pair', () => {
    const text = cfg.replace(/^org\.opencastproject\.distribution\.aws\.s3\.secret\.key.*$/m, '');
    expect(load(text)).toThrow(
      `org.opencastproject.distribution.aws.s3.access.id in ${file} and S3_SECRET_ACCESS_KEY (or org.opencastproject.distribution.aws.s3.secret.key in ${file})`,
    );
  });

  it('point to the cfg key that would supply a missing value', () => {
    const text = cfg.replace(
      /^org\.opencastproject\.distribution\.aws\.s3\.distribution\.base.*$/m,
      '',
    );
    expect(load(text)).toThrow(
      `DISTRIBUTION_BASE_URL (or org.opencastproject.distribution.aws.s3.distribution.base in ${file}): required when org.opencastproject.distribution.aws.s3.endpoint in ${file} is set`,
    );
  });
});

describe('Opencast cfg parity (issue 7)', () => {
  const file = '/etc/opencast/s3.cfg';
  const load = (text: string, env: Record<string, string> = {}) =>
    loadConfig({ OPENCAST_CFG_FILE: file, ...env }, () => text);

  it('takes the job loads per operation from the keys without prefix', () => {
    const text = `${cfg}\njob.load.aws.s3.distribute=0.5\njob.load.aws.s3.retract=0.25\n`;
    expect(load(text).jobLoads).toEqual({ distribute: 0.5, retract: 0.25 });
    expect(load(text, { JOB_LOAD_RETRACT: '2' }).jobLoads).toEqual({ distribute: 0.5, retract: 2 });
  });

  it('names the job-load key of a bad value', () => {
    expect(() => load(`${cfg}\njob.load.aws.s3.distribute=lots\n`)).toThrow(
      `job.load.aws.s3.distribute in ${file}`,
    );
  });

  it("turns max.retries into S3 attempts, capping Opencast's default of 100", () => {
    const key = 'org.opencastproject.distribution.aws.s3.max.retries';
    expect(load(`${cfg}\n${key}=4\n`).s3.maxAttempts).toBe(5);
    const capped = load(`${cfg}\n${key}=100\n`);
    expect(capped.s3.maxAttempts).toBe(20);
    expect(capped.opencastCfg?.notes.join()).toMatch(/max\.retries=100 .*capped at 20/);
    expect(() => load(`${cfg}\n${key}=many\n`)).toThrow(`${key}: must be a whole number`);
  });

  it("reads the docs' base URL without a scheme as https, with a slash appended", () => {
    const text = cfg.replace(
      'distribution.base=https://d1.cloudfront.net',
      'distribution.base=DOMAIN_NAME.cloudfront.net',
    );
    const config = load(text);
    expect(config.s3.baseUrl).toBe('https://DOMAIN_NAME.cloudfront.net/');
    expect(config.opencastCfg?.notes.join()).toMatch(/no scheme given, https assumed/);
  });

  it('reports applied, overridden, unknown and ignored keys', () => {
    const text = `${cfg}
org.opencastproject.distribution.aws.s3.regoin=typo
job.load.aws.s3.restore=0.1
some.other.service.key=1
`;
    const report = load(text, { S3_BUCKET: 'from-env' }).opencastCfg;
    expect(report?.file).toBe(file);
    expect(report?.applied).toContain(
      'org.opencastproject.distribution.aws.s3.region -> S3_REGION',
    );
    expect(report?.overridden).toEqual([
      'org.opencastproject.distribution.aws.s3.bucket (S3_BUCKET is set)',
    ]);
    expect(report?.unknown).toEqual([
      'org.opencastproject.distribution.aws.s3.regoin',
      'some.other.service.key',
    ]);
    expect(report?.ignored.map((entry) => entry.split(' ')[0])).toEqual([
      'job.load.aws.s3.restore',
    ]);
  });

  it('has no report without a cfg file', () => {
    expect(loadConfig({}).opencastCfg).toBeUndefined();
  });
});
