/**
 * The only reader of `process.env` (and of Opencast's cfg file). Every setting is parsed and
 * checked once, at start-up, into a frozen object; a bad value stops the process with a
 * message naming the variable. Each variable is documented in the README.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { maxCommandBytes } from './contract/body-limit.js';
import { MAX_MESSAGE_BYTES, amqpUrlProblem } from './messaging/broker-options.js';
import { AMQP_PREFIX_PATTERN, AMQP_PREFIX_RULE, MAX_DELIVERY_LIMIT } from './messaging/topology.js';
import { JOB_STORE_DEFAULTS } from './jobs/job-store.js';
import { MAX_SIGNED_URL_VALID_MS } from './distribution/signed-urls.js';
import { cfgKeyFor, envFromOpencastCfg } from './opencast-cfg.js';
import { DEFAULT_XML_LIMITS, XML_LIMIT_RANGE } from './opencast/xml-limits.js';
import { parseS3SourceRule } from './sources/s3-source.js';
import {
  DEFAULT_PART_SIZE,
  DEFAULT_QUEUE_SIZE,
  MAX_PART_SIZE,
  MAX_QUEUE_SIZE,
  MAX_SINGLE_COPY_BYTES,
  MIN_PART_SIZE,
} from './storage/upload-plan.js';

// The bounds below come from the modules that use the values, so that a value accepted here
// is never refused later by an adapter with a different rule.

const MiB = 1024 * 1024;
/** The largest request body whose command (see `maxCommandBytes`) fits one broker message. */
const MAX_BODY_BYTES_CEILING = Math.floor((MAX_MESSAGE_BYTES - maxCommandBytes(0)) / 2);

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const boolText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const bool = (fallback: boolean) => boolText.default(fallback);
const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
/** A secret: kept exactly as given (spaces are part of a password), empty means unset. */
const secretText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const identifier = z.string().regex(/^[\w\-.:;()@+~]{1,255}$/, 'must be a simple identifier');

/** `a=b,c=d` into pairs, split at the first separator. */
const pairsWith = (separator: string) =>
  list.transform((entries, ctx) =>
    entries.map((entry) => {
      const at = entry.indexOf(separator);
      if (at <= 0 || at === entry.length - 1) {
        ctx.addIssue({
          code: 'custom',
          message: `an entry is not of the form name${separator}value`,
        });
        return ['', ''] as const;
      }
      return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()] as const;
    }),
  );
const pairs = pairsWith('=');

const envSchema = z.object({
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(8080, 0, 65535),
  PUBLIC_URL: optionalText.pipe(httpUrl.optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
  DEFAULT_ORGANIZATION: identifier.default('mh_default_org'),

  /** One broker URL, or the nodes of one cluster separated by commas (tried in turn). */
  AMQP_URL: z
    .string()
    .default('amqp://guest:guest@127.0.0.1:5672')
    .transform((text, ctx) => {
      const urls = text
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== '');
      if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'names no broker URL' });
      urls.forEach((url, index) => {
        const problem = amqpUrlProblem(url);
        if (problem === undefined) return;
        const which = urls.length > 1 ? `URL ${String(index + 1)} of ${String(urls.length)} ` : '';
        ctx.addIssue({ code: 'custom', message: `${which}${problem}` });
      });
      return urls;
    }),
  AMQP_PREFIX: z.string().regex(AMQP_PREFIX_PATTERN, AMQP_PREFIX_RULE).default('ocs3'),
  AMQP_DELIVERY_LIMIT: int(5, 1, MAX_DELIVERY_LIMIT),
  /** Hand a command still running after this long over to a lease; 0: never (docs/messages.md). */
  AMQP_HANDOVER_AFTER_MS: int(900_000, 0, 86_400_000),
  /** How often a handed-over command's lease is checked; the lease expires after 3 times that. */
  AMQP_LEASE_CHECK_MS: int(60_000, 5_000, 3_600_000),
  /** Commands one worker runs at once, at most (the prefetch); memory is the budget's. */
  WORKER_CONCURRENCY: int(16, 1, 1000),
  /** Memory for uploads in flight in one worker, in MiB (see uploadMemory). */
  WORKER_MEMORY_BUDGET_MB: int(256, 16, 1_048_576),
  /** How long a publish waits for the broker's confirm before it counts as unconfirmed. */
  AMQP_CONFIRM_TIMEOUT_MS: int(10_000, 100, 3_600_000),

  S3_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Unset: path style with a custom endpoint (S3-compatible servers), virtual host on AWS. */
  S3_FORCE_PATH_STYLE: boolText.optional(),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: secretText,
  S3_BUCKET: optionalText,
  S3_ORG_BUCKETS: pairs,
  DISTRIBUTION_BASE_URL: optionalText.pipe(httpUrl.optional()),
  S3_CREATE_BUCKETS: bool(true),
  S3_PUBLIC_READ: bool(false),
  /** Buckets this service creates get Opencast's website configuration (index/error.html). */
  S3_BUCKET_WEBSITE: bool(false),
  S3_PART_SIZE_MB: int(DEFAULT_PART_SIZE / MiB, MIN_PART_SIZE / MiB, MAX_PART_SIZE / MiB),
  S3_UPLOAD_QUEUE_SIZE: int(DEFAULT_QUEUE_SIZE, 1, MAX_QUEUE_SIZE),
  /** Whether the store honours If-None-Match on writes: probed per bucket, or said. */
  S3_CONDITIONAL_WRITES: z
    .enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' })
    .default('auto'),
  S3_MAX_ATTEMPTS: int(3, 1, 20),
  S3_CONNECTION_TIMEOUT_MS: int(10_000, 100),
  S3_REQUEST_TIMEOUT_MS: int(120_000, 100),
  S3_MAX_SOCKETS: int(50, 1, 10_000),
  EMBEDDED_S3_DIR: z.string().default('./data/s3'),
  EMBEDDED_S3_HOST: z.string().default('127.0.0.1'),
  EMBEDDED_S3_PORT: int(4568, 0, 65535),

  SOURCE_ALLOWED_PREFIXES: list,
  SOURCE_SHARED_STORAGE: pairs,
  SOURCE_FILE_ROOTS: list,
  SOURCE_USERNAME: optionalText,
  SOURCE_PASSWORD: secretText,
  SOURCE_CREDENTIAL_PREFIXES: list,
  SOURCE_AUTH_SCHEMES: list.pipe(
    z.array(z.enum(['digest', 'basic'], { error: 'may list digest and basic' })),
  ),
  SOURCE_CONNECT_TIMEOUT_MS: int(10_000, 100),
  SOURCE_READ_TIMEOUT_MS: int(60_000, 100),
  SOURCE_MAX_REDIRECTS: int(3, 0, 20),

  CHECK_AVAILABILITY_TRIES: int(10, 1, 100),
  CHECK_AVAILABILITY_INTERVAL_MS: int(3_000, 0),
  CHECK_AVAILABILITY_TIMEOUT_MS: int(10_000, 100),
  CHECK_AVAILABILITY_MAX_WAIT_MS: int(10_000, 100, 2 ** 31 - 1),

  SYNC_TIMEOUT_MS: int(280_000, 100),
  RETRY_ATTEMPTS: int(3, 1, 20),
  RETRY_BASE_DELAY_MS: int(1_000, 0),
  RETRY_MAX_DELAY_MS: int(30_000, 0),
  MAX_BODY_BYTES: int(16 * MiB, 1024, MAX_BODY_BYTES_CEILING),
  MAX_XML_BYTES: int(
    DEFAULT_XML_LIMITS.maxBytes,
    XML_LIMIT_RANGE.maxBytes.min,
    XML_LIMIT_RANGE.maxBytes.max,
  ),
  MAX_XML_DEPTH: int(
    DEFAULT_XML_LIMITS.maxDepth,
    XML_LIMIT_RANGE.maxDepth.min,
    XML_LIMIT_RANGE.maxDepth.max,
  ),
  MAX_SYNC_WAITERS: int(1000, 1),
  JOB_LOAD: z.coerce.number().min(0).max(1000).default(0.1),
  SHUTDOWN_GRACE_MS: int(25_000, 0),
  OPENCAST_CFG_FILE: optionalText,

  AUTH_DIGEST_USER: optionalText,
  // Opencast's digest client hashes credentials as ASCII: anything else can never match.
  AUTH_DIGEST_PASSWORD: secretText.pipe(
    z
      .string()
      .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (Opencast hashes it as ASCII)')
      .optional(),
  ),
  AUTH_DIGEST_USERS: pairsWith(':'),
  AUTH_DIGEST_SECRET: optionalText.pipe(
    z
      .base64({ error: 'must be base64' })
      .refine((v) => Buffer.from(v, 'base64').length >= 16, 'must decode to at least 16 bytes')
      .optional(),
  ),
  AUTH_ALLOW_BASIC: bool(false),
  /** Roles of API users: `user=ROLE_ADMIN;ROLE_SUDO,other=ROLE_ADMIN`. */
  AUTH_USER_ROLES: pairs,

  /** Opencast mode (issue 7): the admin node's URL switches it on. */
  OPENCAST_URL: optionalText.pipe(httpUrl.optional()),
  OPENCAST_USER: optionalText,
  OPENCAST_PASSWORD: secretText,
  OPENCAST_HOST_URL: optionalText.pipe(httpUrl.optional()),
  OPENCAST_DISPATCH: z.enum(['opencast', 'immediate']).default('opencast'),
  OPENCAST_SHARED_HOST: bool(false),
  OPENCAST_NODE_NAME: optionalText,
  OPENCAST_MAX_LOAD: z.coerce.number().positive().max(10_000).optional(),
  OPENCAST_MEMBERSHIP_INTERVAL_MS: int(30_000, 100),
  OPENCAST_TIMEOUT_MS: int(30_000, 100),
  /** Allow the cluster hosts' /files/ and /assets/ as sources, with the system account. */
  OPENCAST_CLUSTER_SOURCES: bool(true),
  JOB_LOAD_DISTRIBUTE: z.coerce.number().min(0).max(1000).optional(),
  JOB_LOAD_RETRACT: z.coerce.number().min(0).max(1000).optional(),

  /** Shared, durable job status (issue 8 item 13): unset keeps jobs in the API's memory. */
  REDIS_URL: optionalText.pipe(
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{0,100}$/, 'may hold letters, digits, _ . : - (at most 100)')
    .optional(),
  JOB_TTL_SECONDS: int(JOB_STORE_DEFAULTS.ttlSeconds, 60, 366 * 24 * 3600),
  JOB_MAX_BYTES: int(JOB_STORE_DEFAULTS.maxJobBytes, 4096, 512 * MiB),
  // Longer than the broker's longest reconnect delay (10 s), or a reconnect loses replies.
  REPLY_QUEUE_EXPIRES_MS: int(600_000, 10_001, 24 * 3_600_000),
  // Bounded commands and multipart clean-up (issue 8, items 6 and 8).
  /**
   * Total time one command may run, every retry included. The default stays below
   * RabbitMQ's consumer_timeout (30 min) with room for the failure event and the reply.
   */
  COMMAND_DEADLINE_MS: int(25 * 60_000, 1_000, 7 * 24 * 3_600_000),
  /** Issue 9: at most one progress report of a running upload per this long; 0: none. */
  PROGRESS_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(2_000)
    .refine((ms) => ms === 0 || ms >= 100, 'must be 0 (off) or from 100 to 3600000'),
  /** Lifecycle rule on buckets the service creates; 0: no rule. */
  S3_ABORT_INCOMPLETE_UPLOADS_DAYS: int(1, 0, 3650),
  /** Issue 8 item 12: who may read /metrics, and hard links in `file:` roots. */
  METRICS_PUBLIC: bool(false),
  SOURCE_FILE_ALLOW_HARDLINKS: bool(false),
  /** Buckets whose objects are copied inside S3: `bucket[/keyPrefix][=urlPrefix]`, comma-separated. */
  SOURCE_S3_BUCKETS: list.transform((entries, ctx) =>
    entries.flatMap((entry) => {
      try {
        return [parseS3SourceRule(entry)];
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: error instanceof Error ? error.message : String(error),
        });
        return [];
      }
    }),
  ),
  /** Larger sources are copied in parts (UploadPartCopy); at most S3's 5 GiB single-copy limit. */
  S3_COPY_MULTIPART_THRESHOLD_MB: int(
    MAX_SINGLE_COPY_BYTES / MiB,
    MIN_PART_SIZE / MiB,
    MAX_SINGLE_COPY_BYTES / MiB,
  ),

  /** Issue 8 item 9: large mediapackages are parsed off the event loop, a bounded number at once. */
  XML_PARSE_THREADS: int(1, 0, 64),
  XML_PARSE_QUEUE: int(16, 0, 10_000),
  XML_PARSE_INLINE_BYTES: int(256 * 1024, 0),

  /** Issue 10: signed URLs handed out by GET /distribution/s3/signed-url. */
  S3_PRESIGNED_URLS: bool(false),
  /** Opencast's presigned.url.valid.duration (6 h); S3 accepts at most 7 days. */
  SIGNED_URL_VALID_MS: int(21_600_000, 1000, MAX_SIGNED_URL_VALID_MS),
  CLOUDFRONT_KEY_PAIR_ID: optionalText,
  /** The PEM itself; `\n` stands for a line break, for environments without multi-line values. */
  CLOUDFRONT_PRIVATE_KEY: secretText,
  CLOUDFRONT_PRIVATE_KEY_FILE: optionalText,
  CLOUDFRONT_HASH_ALGORITHM: z.enum(['SHA1', 'SHA256']).default('SHA1'),
});

type Env = z.infer<typeof envSchema>;

/** Every environment variable the service reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

/** The service's settings, parsed from the environment. */
export type Config = ReturnType<typeof buildConfig>;

/** Thrown for a bad setting; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the settings. When OPENCAST_CFG_FILE names Opencast's cfg file, its values stand in
 * for the variables that are not set.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Config {
  let merged = env;
  // Names a variable in errors: the cfg key and file when the value came from the cfg file.
  let nameOf = (variable: string): string => variable;
  let cfgReport: OpencastCfgReport | undefined;
  const cfgFile = env.OPENCAST_CFG_FILE?.trim();
  if (cfgFile !== undefined && cfgFile !== '') {
    let text: string;
    try {
      text = readFile(cfgFile);
    } catch (cause) {
      throw new ConfigError(`OPENCAST_CFG_FILE: cannot read ${cfgFile}`, { cause });
    }
    const fromCfg = envFromOpencastCfg(text);
    if (!fromCfg.enabled) {
      throw new ConfigError(
        `OPENCAST_CFG_FILE: ${cfgFile} sets distribution.enable to false; nothing to run`,
      );
    }
    if (fromCfg.problems.length > 0) {
      throw new ConfigError(
        `Invalid configuration in ${cfgFile}:\n  ${fromCfg.problems.join('\n  ')}`,
      );
    }
    const own = definedOnly(env);
    merged = { ...fromCfg.env, ...own };
    const mapped = Object.entries(fromCfg.keys);
    cfgReport = {
      file: cfgFile,
      applied: mapped.filter(([v]) => own[v] === undefined).map(([v, key]) => `${key} -> ${v}`),
      overridden: mapped
        .filter(([v]) => own[v] !== undefined)
        .map(([v, key]) => `${key} (${v} is set)`),
      unknown: fromCfg.unknown,
      ignored: fromCfg.ignored,
      notes: fromCfg.notes,
      endpointWithoutScheme:
        own.S3_ENDPOINT === undefined && fromCfg.withoutScheme.S3_ENDPOINT !== undefined
          ? {
              setting: `${fromCfg.keys.S3_ENDPOINT ?? 'S3_ENDPOINT'} in ${cfgFile}`,
              written: fromCfg.withoutScheme.S3_ENDPOINT,
            }
          : undefined,
    };
    nameOf = (variable) => {
      if (own[variable] !== undefined) return variable;
      const written = fromCfg.keys[variable];
      if (written !== undefined) return `${written} in ${cfgFile}`;
      const key = cfgKeyFor(variable);
      return key === undefined ? variable : `${variable} (or ${key} in ${cfgFile})`;
    };
  }
  // An empty variable (`HTTP_PORT=`) means unset, not zero or the empty string.
  const result = envSchema.safeParse(
    Object.fromEntries(Object.entries(merged).filter(([, value]) => value?.trim() !== '')),
  );
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `${nameOf(i.path.map(String).join('.'))}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return buildConfig(result.data, nameOf, cfgReport, readFile);
}

/** What the Opencast cfg file contributed, for the start-up log. */
export interface OpencastCfgReport {
  readonly file: string;
  /** `cfg key -> VARIABLE` for every value taken from the file. */
  readonly applied: readonly string[];
  /** Keys whose variable the environment sets, so the file's value is not used. */
  readonly overridden: readonly string[];
  /** Keys this service does not know. */
  readonly unknown: readonly string[];
  /** Known keys without effect here, with the reason. */
  readonly ignored: readonly string[];
  /** Translations: scheme added, cap applied. */
  readonly notes: readonly string[];
  /**
   * The S3 endpoint came from the file without a scheme and https was assumed: the key (and
   * file) and the value as written, so a failing connection can say what to write instead.
   */
  readonly endpointWithoutScheme?: { readonly setting: string; readonly written: string };
}

function buildConfig(
  env: Env,
  nameOf: (variable: string) => string,
  cfgReport: OpencastCfgReport | undefined,
  readFile: (path: string) => string,
) {
  if ((env.S3_ACCESS_KEY_ID === undefined) !== (env.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(
      `${nameOf('S3_ACCESS_KEY_ID')} and ${nameOf('S3_SECRET_ACCESS_KEY')}: set both, or neither to use the default credential chain`,
    );
  }
  if ((env.AUTH_DIGEST_USER === undefined) !== (env.AUTH_DIGEST_PASSWORD === undefined)) {
    throw new ConfigError('AUTH_DIGEST_USER and AUTH_DIGEST_PASSWORD: set both or neither');
  }
  const authUsers = new Map(env.AUTH_DIGEST_USERS);
  if (env.AUTH_DIGEST_USER !== undefined && env.AUTH_DIGEST_PASSWORD !== undefined) {
    authUsers.set(env.AUTH_DIGEST_USER, env.AUTH_DIGEST_PASSWORD);
  }
  if ((env.SOURCE_USERNAME === undefined) !== (env.SOURCE_PASSWORD === undefined)) {
    throw new ConfigError('SOURCE_USERNAME and SOURCE_PASSWORD: set both or neither');
  }
  if (env.SOURCE_USERNAME !== undefined && env.SOURCE_CREDENTIAL_PREFIXES.length === 0) {
    throw new ConfigError(
      "SOURCE_CREDENTIAL_PREFIXES: name the URL prefixes (e.g. Opencast's /files/) that may receive SOURCE_USERNAME's credentials",
    );
  }
  const embedded = env.S3_ENDPOINT === undefined && env.DISTRIBUTION_BASE_URL === undefined;
  if (!embedded && env.DISTRIBUTION_BASE_URL === undefined) {
    throw new ConfigError(
      `${nameOf('DISTRIBUTION_BASE_URL')}: required when ${nameOf('S3_ENDPOINT')} is set`,
    );
  }
  const bucket = env.S3_BUCKET ?? (embedded ? 'opencast-distribution' : undefined);
  if (bucket === undefined && env.S3_ORG_BUCKETS.length === 0) {
    throw new ConfigError(
      `${nameOf('S3_BUCKET')}: required unless ${nameOf('S3_ORG_BUCKETS')} names a bucket per organization`,
    );
  }
  const publicUrl = (
    env.PUBLIC_URL ?? `http://${hostForUrl(env.HTTP_HOST)}:${env.HTTP_PORT}`
  ).replace(/\/+$/, '');
  const opencast = opencastSettings(env, authUsers, publicUrl);
  const roles = new Map<string, ReadonlySet<string>>(
    env.AUTH_USER_ROLES.map(([user, list]) => [
      user,
      new Set(
        list
          .split(';')
          .map((role) => role.trim())
          .filter((role) => role !== ''),
      ),
    ]),
  );
  // The system account acts for every organization and user, as in Opencast.
  for (const user of [env.AUTH_DIGEST_USER, opencast?.user]) {
    if (user !== undefined) roles.set(user, new Set([...(roles.get(user) ?? []), ...SYSTEM_ROLES]));
  }
  // Credentials go only where named: Opencast's system account must not reach a CDN.
  const sourceCredentials =
    env.SOURCE_USERNAME !== undefined && env.SOURCE_PASSWORD !== undefined
      ? env.SOURCE_CREDENTIAL_PREFIXES.map((urlPrefix) => ({
          urlPrefix,
          username: env.SOURCE_USERNAME ?? '',
          password: env.SOURCE_PASSWORD ?? '',
          schemes: env.SOURCE_AUTH_SCHEMES.length === 0 ? undefined : env.SOURCE_AUTH_SCHEMES,
        }))
      : [];

  return Object.freeze({
    role: env.ROLE,
    runsApi: env.ROLE !== 'worker',
    runsWorker: env.ROLE !== 'api',
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT, publicUrl },
    /** Digest users of the HTTP API; empty: no authentication (a warning at start). */
    auth: {
      users: authUsers,
      secret:
        env.AUTH_DIGEST_SECRET === undefined
          ? undefined
          : Buffer.from(env.AUTH_DIGEST_SECRET, 'base64'),
      allowBasic: env.AUTH_ALLOW_BASIC,
      /** Opencast roles of each user (ROLE_ADMIN switches organization, ROLE_SUDO user). */
      roles,
      /** Whether `/metrics` answers without credentials when users are configured. */
      metricsPublic: env.METRICS_PUBLIC,
    },
    /** Mediapackages over `inlineBytes` characters are parsed on `threads` worker threads. */
    xmlParsing: {
      threads: env.XML_PARSE_THREADS,
      maxQueued: env.XML_PARSE_QUEUE,
      inlineBytes: env.XML_PARSE_INLINE_BYTES,
    },
    /** Opencast mode, when OPENCAST_URL is set; undefined: standalone. */
    opencast,
    logLevel: env.LOG_LEVEL,
    /** `json`: one pino JSON object per line (for collectors); `pretty`: lines for people. */
    logFormat: env.LOG_FORMAT,
    defaultOrganization: env.DEFAULT_ORGANIZATION,
    amqp: {
      /** The first broker URL (of {@link urls}). */
      url: withDefaultHeartbeat(env.AMQP_URL[0] ?? ''),
      /** Every broker URL, in order: nodes of one cluster, tried in turn. */
      urls: env.AMQP_URL.map(withDefaultHeartbeat),
      prefix: env.AMQP_PREFIX,
      deliveryLimit: env.AMQP_DELIVERY_LIMIT,
      concurrency: env.WORKER_CONCURRENCY,
      /** Bytes of uploads in flight one worker allows, whatever the number of commands. */
      memoryBudgetBytes: env.WORKER_MEMORY_BUDGET_MB * MiB,
      confirmTimeoutMs: env.AMQP_CONFIRM_TIMEOUT_MS,
      replyQueueExpiresMs: env.REPLY_QUEUE_EXPIRES_MS,
      /** Long-command handover (item 15); undefined when AMQP_HANDOVER_AFTER_MS is 0. */
      lease:
        env.AMQP_HANDOVER_AFTER_MS === 0
          ? undefined
          : {
              handoverAfterMs: env.AMQP_HANDOVER_AFTER_MS,
              checkIntervalMs: env.AMQP_LEASE_CHECK_MS,
              // Outlives reconnects (10 s at most between attempts) and a busy work queue.
              expiresMs: 3 * env.AMQP_LEASE_CHECK_MS,
            },
    },
    /** Where job status lives: Redis when `redisUrl` is set, else the API's memory. */
    jobStore: {
      redisUrl: env.REDIS_URL,
      keyPrefix: env.REDIS_KEY_PREFIX ?? `${env.AMQP_PREFIX}:`,
      ttlSeconds: env.JOB_TTL_SECONDS,
      maxJobBytes: env.JOB_MAX_BYTES,
    },
    s3: {
      /** No endpoint and no base URL: serve the embedded store. */
      embedded: embedded
        ? { directory: env.EMBEDDED_S3_DIR, host: env.EMBEDDED_S3_HOST, port: env.EMBEDDED_S3_PORT }
        : undefined,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      credentials:
        env.S3_ACCESS_KEY_ID !== undefined && env.S3_SECRET_ACCESS_KEY !== undefined
          ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
          : undefined,
      bucket,
      orgBuckets: new Map(env.S3_ORG_BUCKETS),
      baseUrl: env.DISTRIBUTION_BASE_URL,
      /** Set when the endpoint's https was assumed (Opencast's cfg without a scheme). */
      endpointWithoutScheme: cfgReport?.endpointWithoutScheme,
      createBuckets: env.S3_CREATE_BUCKETS,
      publicRead: env.S3_PUBLIC_READ,
      website: env.S3_BUCKET_WEBSITE,
      partSizeBytes: env.S3_PART_SIZE_MB * MiB,
      queueSize: env.S3_UPLOAD_QUEUE_SIZE,
      conditionalWrites: env.S3_CONDITIONAL_WRITES,
      maxAttempts: env.S3_MAX_ATTEMPTS,
      connectionTimeoutMs: env.S3_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
      maxSockets: env.S3_MAX_SOCKETS,
      abortIncompleteUploadsDays: env.S3_ABORT_INCOMPLETE_UPLOADS_DAYS,
      copyMultipartThresholdBytes: env.S3_COPY_MULTIPART_THRESHOLD_MB * MiB,
    },
    sources: {
      allowedUrlPrefixes: env.SOURCE_ALLOWED_PREFIXES,
      sharedStorage: env.SOURCE_SHARED_STORAGE.map(([urlPrefix, directory]) => ({
        urlPrefix,
        directory,
      })),
      fileRoots: env.SOURCE_FILE_ROOTS,
      allowHardlinks: env.SOURCE_FILE_ALLOW_HARDLINKS,
      /** Objects of these buckets are copied inside S3 (server-side copy). */
      s3Buckets: env.SOURCE_S3_BUCKETS,
      credentials: sourceCredentials,
      connectTimeoutMs: env.SOURCE_CONNECT_TIMEOUT_MS,
      readTimeoutMs: env.SOURCE_READ_TIMEOUT_MS,
      maxRedirects: env.SOURCE_MAX_REDIRECTS,
    },
    availability: {
      tries: env.CHECK_AVAILABILITY_TRIES,
      intervalMs: env.CHECK_AVAILABILITY_INTERVAL_MS,
      timeoutMs: env.CHECK_AVAILABILITY_TIMEOUT_MS,
      maxWaitMs: env.CHECK_AVAILABILITY_MAX_WAIT_MS,
    },
    retry: {
      attempts: env.RETRY_ATTEMPTS,
      baseDelayMs: env.RETRY_BASE_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
    },
    syncTimeoutMs: env.SYNC_TIMEOUT_MS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    xmlLimits: { maxBytes: env.MAX_XML_BYTES, maxDepth: env.MAX_XML_DEPTH },
    maxSyncWaiters: env.MAX_SYNC_WAITERS,
    jobLoad: env.JOB_LOAD,
    /** `jobLoad` of Opencast jobs per operation (cfg job.load.aws.s3.distribute/.retract). */
    jobLoads: {
      distribute: env.JOB_LOAD_DISTRIBUTE ?? env.JOB_LOAD,
      retract: env.JOB_LOAD_RETRACT ?? env.JOB_LOAD,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    /** What OPENCAST_CFG_FILE contributed; undefined without it. */
    opencastCfg: cfgReport,
    commandDeadlineMs: env.COMMAND_DEADLINE_MS,
    /** Progress reports of running uploads (events and the job record); 0: off. */
    progressIntervalMs: env.PROGRESS_INTERVAL_MS,
    signing: signingSettings(env, readFile),
  });
}

/** How URLs are signed when handed out (README, "Signed URLs"). */
export interface SigningSettings {
  /** Presign S3 GETs of the objects (Opencast's presigned.url). */
  readonly s3Presign: boolean;
  /** Default and longest validity of a signed URL. */
  readonly validMs: number;
  /** Sign the published (CloudFront) URLs themselves with this key; wins over `s3Presign`. */
  readonly cloudFront:
    | {
        readonly keyPairId: string;
        readonly privateKey: string;
        readonly algorithm: 'SHA1' | 'SHA256';
      }
    | undefined;
}

function signingSettings(env: Env, readFile: (path: string) => string): SigningSettings {
  const keyFile = env.CLOUDFRONT_PRIVATE_KEY_FILE;
  const keyId = env.CLOUDFRONT_KEY_PAIR_ID;
  if (keyFile !== undefined && env.CLOUDFRONT_PRIVATE_KEY !== undefined) {
    throw new ConfigError(
      'CLOUDFRONT_PRIVATE_KEY and CLOUDFRONT_PRIVATE_KEY_FILE: set one, not both',
    );
  }
  let pem = env.CLOUDFRONT_PRIVATE_KEY?.replaceAll('\\n', '\n');
  const pemFrom = keyFile === undefined ? 'CLOUDFRONT_PRIVATE_KEY' : 'CLOUDFRONT_PRIVATE_KEY_FILE';
  if (keyFile !== undefined) {
    try {
      pem = readFile(keyFile);
    } catch (cause) {
      throw new ConfigError(`CLOUDFRONT_PRIVATE_KEY_FILE: cannot read ${keyFile}`, { cause });
    }
  }
  if ((keyId === undefined) !== (pem === undefined)) {
    throw new ConfigError(
      'CLOUDFRONT_KEY_PAIR_ID and CLOUDFRONT_PRIVATE_KEY(_FILE): set both to sign CloudFront URLs, or neither',
    );
  }
  if (keyId !== undefined && !/^[A-Z0-9]{1,128}$/.test(keyId)) {
    throw new ConfigError('CLOUDFRONT_KEY_PAIR_ID: must be a CloudFront public key id (A-Z, 0-9)');
  }
  if (pem !== undefined) {
    try {
      createPrivateKey(pem);
    } catch {
      // The key's text stays out of the message: it is a secret.
      throw new ConfigError(`${pemFrom}: not a PEM private key`);
    }
  }
  return {
    s3Presign: env.S3_PRESIGNED_URLS,
    validMs: env.SIGNED_URL_VALID_MS,
    cloudFront:
      keyId === undefined || pem === undefined
        ? undefined
        : { keyPairId: keyId, privateKey: pem, algorithm: env.CLOUDFRONT_HASH_ALGORITHM },
  };
}

/**
 * After SIGTERM the process exits at the latest this long after `SHUTDOWN_GRACE_MS`, even if
 * a broker or server never answers: an orchestrator's grace period must cover both.
 */
export const SHUTDOWN_EXIT_MARGIN_MS = 15_000;

const cliEnvSchema = envSchema.pick({ AMQP_URL: true, AMQP_PREFIX: true }).extend({
  OCS3_URL: optionalText.pipe(httpUrl.optional()),
  OCS3_USER: optionalText,
  OCS3_PASSWORD: secretText,
});

/** What the `ocs3` command-line tool reads from the environment (its options override it). */
export interface CliSettings {
  /** The service's HTTP API, without a trailing slash. */
  readonly serviceUrl: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The broker (first URL of AMQP_URL), for `ocs3 parked`. */
  readonly amqpUrl: string;
  readonly amqpPrefix: string;
}

/** Reads the `ocs3` tool's settings; a bad value throws a {@link ConfigError} naming it. */
export function loadCliSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CliSettings {
  const result = cliEnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim() !== '')),
  );
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const parsed = result.data;
  return {
    serviceUrl: parsed.OCS3_URL?.replace(/\/+$/, ''),
    user: parsed.OCS3_USER,
    password: parsed.OCS3_PASSWORD,
    amqpUrl: parsed.AMQP_URL[0] ?? '',
    amqpPrefix: parsed.AMQP_PREFIX,
  };
}

/** Roles the Digest system account has, as in Opencast. */
export const SYSTEM_ROLES = ['ROLE_ADMIN', 'ROLE_SUDO'] as const;

/** How this service joins an Opencast cluster (README, "Using it from Opencast"). */
export interface OpencastSettings {
  /** The admin node, without a trailing slash. */
  readonly url: string;
  /** The Digest system account. */
  readonly user: string;
  readonly password: string;
  /** H: where every Opencast node reaches this service; no trailing slash. */
  readonly hostUrl: string;
  /** `opencast`: jobs wait for Opencast's dispatcher; `immediate`: published at once. */
  readonly dispatch: 'opencast' | 'immediate';
  /** Several replicas serve `hostUrl`: never touch its maintenance flag. */
  readonly sharedHost: boolean;
  readonly nodeName: string;
  readonly maxLoad: number;
  readonly membershipIntervalMs: number;
  readonly timeoutMs: number;
  /** The `/files/` and `/assets/` of the cluster's hosts are sources, with the system account. */
  readonly clusterSources: boolean;
}

function opencastSettings(
  env: Env,
  authUsers: ReadonlyMap<string, string>,
  publicUrl: string,
): OpencastSettings | undefined {
  if (env.OPENCAST_URL === undefined) return undefined;
  const user = env.OPENCAST_USER ?? env.AUTH_DIGEST_USER;
  const password = env.OPENCAST_PASSWORD ?? (user === undefined ? undefined : authUsers.get(user));
  if (user === undefined || password === undefined) {
    throw new ConfigError(
      'OPENCAST_USER and OPENCAST_PASSWORD: Opencast mode needs the Digest system account (or AUTH_DIGEST_USER/AUTH_DIGEST_PASSWORD)',
    );
  }
  return {
    url: env.OPENCAST_URL.replace(/\/+$/, ''),
    user,
    password,
    hostUrl: (env.OPENCAST_HOST_URL ?? publicUrl).replace(/\/+$/, ''),
    dispatch: env.OPENCAST_DISPATCH,
    sharedHost: env.OPENCAST_SHARED_HOST,
    nodeName: env.OPENCAST_NODE_NAME ?? hostname(),
    maxLoad: env.OPENCAST_MAX_LOAD ?? availableParallelism(),
    membershipIntervalMs: env.OPENCAST_MEMBERSHIP_INTERVAL_MS,
    timeoutMs: env.OPENCAST_TIMEOUT_MS,
    clusterSources: env.OPENCAST_CLUSTER_SOURCES,
  };
}

/**
 * Adds `heartbeat=30` unless the URL sets one: without heartbeats a silently dead
 * connection is noticed only after the server's 60 s, and a shutdown can wait on it.
 */
function withDefaultHeartbeat(url: string): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}heartbeat=30`;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
