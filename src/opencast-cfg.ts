/**
 * Reads Opencast's `org.opencastproject.distribution.aws.s3.AwsS3DistributionServiceImpl.cfg`
 * (Java properties, docs/opencast-wire-spec.md §7.1) so an Opencast admin can reuse the file they have.
 * Pure: takes the file's text, returns the settings it names, in our environment's terms.
 */
import { MAX_SIGNED_URL_VALID_MS } from './distribution/signed-urls.js';

const PREFIX = 'org.opencastproject.distribution.aws.s3.';

/** Maps Opencast keys (after the prefix) to our environment variable names. */
const KEY_TO_ENV: Readonly<Record<string, string>> = {
  region: 'S3_REGION',
  bucket: 'S3_BUCKET',
  'distribution.base': 'DISTRIBUTION_BASE_URL',
  'access.id': 'S3_ACCESS_KEY_ID',
  'secret.key': 'S3_SECRET_ACCESS_KEY',
  endpoint: 'S3_ENDPOINT',
  'path.style': 'S3_FORCE_PATH_STYLE',
  'connection.timeout': 'S3_CONNECTION_TIMEOUT_MS',
  'max.connections': 'S3_MAX_SOCKETS',
  'max.retries': 'S3_MAX_ATTEMPTS',
  'presigned.url': 'S3_PRESIGNED_URLS',
  'presigned.url.valid.duration': 'SIGNED_URL_VALID_MS',
};

/** Keys Opencast reads without the prefix (`LoadUtil`), mapped to our variables. */
const JOB_LOAD_KEYS: Readonly<Record<string, string>> = {
  'job.load.aws.s3.distribute': 'JOB_LOAD_DISTRIBUTE',
  'job.load.aws.s3.retract': 'JOB_LOAD_RETRACT',
};

/** The cfg key that stands for an environment variable, if there is one. */
export function cfgKeyFor(variable: string): string | undefined {
  if (variable === 'S3_ORG_BUCKETS') return `${PREFIX}bucket.<organization>`;
  const jobLoad = Object.keys(JOB_LOAD_KEYS).find((k) => JOB_LOAD_KEYS[k] === variable);
  if (jobLoad !== undefined) return jobLoad;
  const key = Object.keys(KEY_TO_ENV).find((k) => KEY_TO_ENV[k] === variable);
  return key === undefined ? undefined : PREFIX + key;
}

/** Parses Java properties text: `key=value` or `key: value`, `#`/`!` comments, `\` continuations. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').trimStart();
    }
    const match = /^((?:\\.|[^:=\s\\])+)\s*[:=\s]\s*(.*)$/.exec(line);
    const key = unescape(match?.[1] ?? line.trim());
    result.set(key, unescape(match?.[2] ?? ''));
  }
  return result;
}

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.startsWith('u') && c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

/** Keys Opencast documents that change nothing here, with the reason. */
const IGNORED: Readonly<Record<string, string>> = {
  'job.load.aws.s3.restore': 'Opencast has not used it since the restore operation was removed',
};

/** The SDK's attempts are Opencast's retries plus the first try; config.ts caps them at 20. */
const MAX_ATTEMPTS = 20;

/** A scheme at the start of a URL. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** What an Opencast cfg file stands for, and what of it was not used. */
export interface OpencastCfg {
  readonly env: Record<string, string>;
  /** For each variable in `env`, the cfg key(s) the admin wrote, so errors can name them. */
  readonly keys: Record<string, string>;
  readonly enabled: boolean;
  /** Keys this service does not know (typos, or keys of another service). */
  readonly unknown: readonly string[];
  /** Known keys that have no effect here, each with its reason. */
  readonly ignored: readonly string[];
  /** How values were translated, e.g. a scheme added or a cap applied. */
  readonly notes: readonly string[];
  /** Values that cannot be used, each naming its key. */
  readonly problems: readonly string[];
  /** For each URL variable whose key was written without a scheme: the value as written. */
  readonly withoutScheme: Readonly<Record<string, string>>;
}

/**
 * The environment variables an Opencast cfg file stands for. `bucket.<org>` keys become
 * entries of S3_ORG_BUCKETS; `distribution.enable=false` is reported so the caller can refuse
 * to start a service the admin disabled.
 */
export function envFromOpencastCfg(text: string): OpencastCfg {
  const props = parseProperties(text);
  const env: Record<string, string> = {};
  const keys: Record<string, string> = {};
  const orgBuckets: string[] = [];
  const orgBucketKeys: string[] = [];
  const unknown: string[] = [];
  const ignored: string[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const withoutScheme: Record<string, string> = {};
  let enabled = true;
  const set = (name: string, value: string, fullKey: string) => {
    env[name] = value;
    keys[name] = fullKey;
  };
  for (const [fullKey, raw] of props) {
    const value = raw.trim();
    if (value === '') continue;
    const jobLoad = JOB_LOAD_KEYS[fullKey];
    const reason = IGNORED[fullKey];
    if (jobLoad !== undefined) {
      set(jobLoad, value, fullKey);
      continue;
    }
    if (reason !== undefined) {
      ignored.push(`${fullKey} (${reason})`);
      continue;
    }
    if (!fullKey.startsWith(PREFIX)) {
      unknown.push(fullKey);
      continue;
    }
    const key = fullKey.slice(PREFIX.length);
    if (key === 'distribution.enable') {
      enabled = value.toLowerCase() === 'true';
    } else if (key.startsWith('bucket.')) {
      orgBuckets.push(`${key.slice('bucket.'.length)}=${value}`);
      orgBucketKeys.push(fullKey);
    } else if (key === 'presigned.url') {
      // Opencast: a case-insensitive "true" turns it on, anything else leaves it off.
      set('S3_PRESIGNED_URLS', String(value.toLowerCase() === 'true'), fullKey);
    } else if (key === 'presigned.url.valid.duration') {
      // Opencast falls back to its default for a non-number; we say so instead. Like Opencast,
      // we cap at 7 days (S3's limit) with a note.
      if (!/^\d+$/.test(value)) {
        problems.push(`${fullKey}: must be a whole number of milliseconds, not "${value}"`);
        continue;
      }
      if (Number(value) > MAX_SIGNED_URL_VALID_MS) {
        notes.push(`${fullKey}=${value} is over 7 days; capped at ${MAX_SIGNED_URL_VALID_MS}`);
      }
      set('SIGNED_URL_VALID_MS', String(Math.min(Number(value), MAX_SIGNED_URL_VALID_MS)), fullKey);
    } else if (key === 'max.retries') {
      if (!/^\d+$/.test(value)) {
        problems.push(`${fullKey}: must be a whole number of retries, not "${value}"`);
        continue;
      }
      const attempts = Number(value) + 1;
      if (attempts > MAX_ATTEMPTS) {
        notes.push(
          `${fullKey}=${value} asks for ${attempts} attempts per S3 call; capped at ${MAX_ATTEMPTS} (the worker retries whole elements besides)`,
        );
      }
      set('S3_MAX_ATTEMPTS', String(Math.min(attempts, MAX_ATTEMPTS)), fullKey);
    } else if (key === 'endpoint' || key === 'distribution.base') {
      // Opencast's docs give both without a scheme (the Java SDK adds https for the
      // endpoint; the docs' base example is DOMAIN_NAME.cloudfront.net).
      let url = value;
      if (!HAS_SCHEME.test(url)) {
        url = `https://${url}`;
        notes.push(`${fullKey}: no scheme given, https assumed (${url})`);
        withoutScheme[KEY_TO_ENV[key] ?? ''] = value;
      }
      // Opencast appends "/" to the base URL when it is missing.
      if (key === 'distribution.base' && !url.endsWith('/')) url = `${url}/`;
      set(KEY_TO_ENV[key] ?? '', url, fullKey);
    } else {
      const name = KEY_TO_ENV[key];
      if (name === undefined) unknown.push(fullKey);
      else set(name, value, fullKey);
    }
  }
  if (orgBuckets.length > 0) {
    env.S3_ORG_BUCKETS = orgBuckets.join(',');
    keys.S3_ORG_BUCKETS = orgBucketKeys.join(', ');
  }
  return { env, keys, enabled, unknown, ignored, notes, problems, withoutScheme };
}
