/**
 * The handshake every baseline child speaks with the bench, so that its CPU and memory are
 * read from /proc around the work only, as they are for the service:
 *
 *   child: setup (imports, clients, warm-up)  ->  stdout `{"ready":true}`
 *   bench: notes CPU, resets peak RSS         ->  stdin  `go`
 *   child: the work                           ->  stdout `{"result":...}` (or `{"error":...}`)
 *   bench: reads CPU and peak RSS             ->  closes stdin; the child cleans up and exits
 *
 * The child's parameters are one JSON argument (argv[2]).
 */
import { createInterface } from 'node:readline';

/** The parameters the bench passed as JSON in argv[2]. */
export function childParams(): unknown {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('a baseline child needs its parameters as JSON');
  return JSON.parse(raw);
}

/**
 * Runs one baseline: `setup` once, then `work` when the bench says go, then `cleanup` when
 * the bench closes stdin. A failure is reported on stdout and ends the child with code 1.
 */
export async function runChild<R>(
  setup: () => Promise<void>,
  work: () => Promise<R>,
  cleanup: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const say = (message: object): void => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  };
  try {
    await setup();
    say({ ready: true });
    const go = await lines.next();
    if (go.done === true) return;
    say({ result: await work() });
    // Wait until the bench has read /proc and closes stdin.
    while ((await lines.next()).done !== true);
    await cleanup();
  } catch (error) {
    say({ error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    await cleanup().catch(() => undefined);
  }
  process.stdin.destroy();
}
