/** What a command of `ocs3` reads and writes; the entry point passes the process's own. */
export interface CliIo {
  readonly out: {
    write(text: string): void;
    /** A terminal: progress is redrawn in place. */
    readonly isTTY?: boolean | undefined;
    readonly columns?: number | undefined;
  };
  readonly err: { write(text: string): void };
  /** The environment; undefined: the process's. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Reads a file, or standard input for `-`, at most `maxBytes`. */
  readonly readInput: (path: string, maxBytes: number) => Promise<string>;
  readonly sleep: (ms: number) => Promise<void>;
}
