/**
 * Which Node.js versions this service supports, and what to do about the AWS SDK's warning
 * that its releases after early January 2027 need Node 22. The service supports Node 20
 * and 22 (package.json `engines`); the lockfile pins an SDK release that runs on 20, and the
 * Docker image runs 22. On 20 the SDK's multi-line warning on every start says nothing an
 * operator can act on today, so it is silenced with the SDK's own switch and replaced by one
 * line of ours.
 */

/** The SDK's documented switch (read when an S3 client is created). */
export const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** The oldest major version the SDK supports after January 2027. */
const SDK_NEXT_MAJOR = 22;

/** What to do at start on Node `version` (`process.version`). */
export interface NodeSupport {
  /** Set the SDK's switch (the operator did not decide for themselves). */
  readonly silenceSdkWarning: boolean;
  /** Our one line instead, for the log at info; undefined on Node 22 and later. */
  readonly notice: string | undefined;
}

/**
 * Decides for `version` (`v20.19.0`); `env` is the process environment, only read: an
 * operator who set the switch either way keeps their choice.
 */
export function nodeSupport(
  version: string,
  env: Readonly<Record<string, string | undefined>>,
): NodeSupport {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? NaN);
  if (!(major < SDK_NEXT_MAJOR)) return { silenceSdkWarning: false, notice: undefined };
  return {
    silenceSdkWarning: env[SDK_WARNING_SWITCH] === undefined,
    notice:
      `Node ${version}: supported with the AWS SDK this release pins; SDK releases after ` +
      `early January 2027 need Node ${String(SDK_NEXT_MAJOR)}, so upgrade Node before ` +
      'upgrading the SDK (the Docker image runs Node 22)',
  };
}
