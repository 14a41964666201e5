/**
 * Reads Opencast's `org.opencastproject.distribution.aws.s3.AwsS3DistributionServiceImpl.cfg`
 * (Java properties, docs/opencast-wire-spec.md §7.1) so an Opencast admin can reuse the file they have.
 * Pure: takes the file's text, returns the settings it names, in our environment's terms.
 */

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
};

/** The cfg key that stands for an environment variable, if there is one. */
export function cfgKeyFor(variable: string): string | undefined {
  if (variable === 'S3_ORG_BUCKETS') return `${PREFIX}bucket.<organization>`;
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

/**
 * The environment variables an Opencast cfg file stands for. `bucket.<org>` keys become
 * entries of S3_ORG_BUCKETS; `distribution.enable=false` is reported so the caller can refuse
 * to start a service the admin disabled.
 */
export function envFromOpencastCfg(text: string): {
  readonly env: Record<string, string>;
  /** For each variable in `env`, the cfg key(s) the admin wrote, so errors can name them. */
  readonly keys: Record<string, string>;
  readonly enabled: boolean;
  /** Keys set to something this service does not do yet. */
  readonly unsupported: readonly string[];
} {
  const props = parseProperties(text);
  const env: Record<string, string> = {};
  const keys: Record<string, string> = {};
  const orgBuckets: string[] = [];
  const orgBucketKeys: string[] = [];
  const unsupported: string[] = [];
  let enabled = true;
  for (const [fullKey, value] of props) {
    if (!fullKey.startsWith(PREFIX) || value.trim() === '') continue;
    const key = fullKey.slice(PREFIX.length);
    if (key === 'distribution.enable') {
      enabled = value.trim().toLowerCase() === 'true';
    } else if (key.startsWith('bucket.')) {
      orgBuckets.push(`${key.slice('bucket.'.length)}=${value.trim()}`);
      orgBucketKeys.push(fullKey);
    } else if (key === 'presigned.url') {
      // Presigned URLs are not supported yet (README, "Limits"): refuse rather than ignore.
      if (value.trim().toLowerCase() === 'true') unsupported.push(fullKey);
    } else {
      const name = KEY_TO_ENV[key];
      // Opencast's docs give the endpoint without a scheme (the Java SDK adds https).
      const text =
        key === 'endpoint' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())
          ? `https://${value.trim()}`
          : value.trim();
      if (name !== undefined) {
        env[name] = text;
        keys[name] = fullKey;
      }
    }
  }
  if (orgBuckets.length > 0) {
    env.S3_ORG_BUCKETS = orgBuckets.join(',');
    keys.S3_ORG_BUCKETS = orgBucketKeys.join(', ');
  }
  return { env, keys, enabled, unsupported };
}
