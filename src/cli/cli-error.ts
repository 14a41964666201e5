/** Exit statuses of `ocs3` (its help lists them). */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** Ends a command with a message on standard error and an exit status. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
