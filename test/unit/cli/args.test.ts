import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../../src/cli/args.js';
import { helpText } from '../../../src/cli/help.js';
import { runCli } from '../../../src/cli/run.js';
import type { CliIo } from '../../../src/cli/io.js';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    out: { write: (text) => void out.push(text) },
    err: { write: (text) => void err.push(text) },
    env,
    readInput: () => Promise.reject(new Error('no input in this test')),
    sleep: () => Promise.resolve(),
  };
  return { io: value, out, err };
}

function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('ocs3 command line', () => {
  it('parses distribute and retract with their options', () => {
    expect(
      parseCli([
        'distribute',
        'mp.xml',
        '--channel',
        'engage-player',
        '-e',
        'a',
        '-e',
        'b',
        '--sync',
      ]),
    ).toEqual({
      kind: 'submit',
      operation: 'distribute',
      mediapackageFile: 'mp.xml',
      channel: 'engage-player',
      elements: ['a', 'b'],
      sync: true,
      follow: false,
      checkAvailability: true,
      service: { url: undefined, user: undefined, password: undefined },
    });
    expect(
      parseCli([
        'retract',
        '-',
        '-c',
        'api',
        '--follow',
        '--url',
        'http://h:1',
        '--user',
        'u',
        '--password',
        'p w',
      ]),
    ).toMatchObject({
      operation: 'retract',
      mediapackageFile: '-',
      elements: [],
      follow: true,
      service: { url: 'http://h:1', user: 'u', password: 'p w' },
    });
    expect(parseCli(['distribute', 'mp.xml', '-c', 'x', '--no-check-availability'])).toMatchObject({
      checkAvailability: false,
    });
  });

  it('parses job and parked', () => {
    expect(parseCli(['job', '123', '--follow', '--interval', '500'])).toMatchObject({
      kind: 'job',
      id: '123',
      follow: true,
      intervalMs: 500,
    });
    expect(parseCli(['job', '123', '--json'])).toMatchObject({ json: true, intervalMs: 1000 });
    expect(parseCli(['parked', 'list'])).toMatchObject({ kind: 'parked-list', limit: 100 });
    expect(
      parseCli([
        'parked',
        'list',
        '--limit',
        '5',
        '--json',
        '--prefix',
        'p',
        '--amqp-url',
        'amqp://x',
      ]),
    ).toEqual({ kind: 'parked-list', limit: 5, json: true, prefix: 'p', amqpUrl: 'amqp://x' });
    expect(parseCli(['parked', 'replay', 'a', 'b', 'a'])).toMatchObject({
      kind: 'parked-replay',
      ids: ['a', 'b'],
      all: false,
    });
    expect(parseCli(['parked', 'replay', '--all'])).toMatchObject({ ids: [], all: true });
  });

  it('refuses malformed, missing and hostile values with a pointer to the help', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command 'frobnicate'/],
      [['distribute', '--channel', 'c'], /one mediapackage/],
      [['distribute', 'a.xml', 'b.xml', '-c', 'c'], /one mediapackage/],
      [['distribute', 'mp.xml'], /--channel is required/],
      [['distribute', 'mp.xml', '-c', '../etc'], /Channel '..\/etc' is not an identifier/],
      [['distribute', 'mp.xml', '-c', 'c', '-e', 'a/b'], /Element id 'a\/b'/],
      [['distribute', 'mp.xml', '-c', 'c', '-e', 'a', '-e', 'a'], /named twice/],
      [['distribute', 'mp.xml', '-c', 'c', '--sync', '--follow'], /--sync waits already/],
      [['retract', 'mp.xml', '-c', 'c', '--no-check-availability'], /distribute only/],
      [['distribute', 'mp.xml', '-c', 'c', '--bogus'], /Unknown option '--bogus'/],
      [['distribute', 'mp.xml', '-c'], /argument missing/],
      [['job'], /one job id/],
      [['job', '12abc'], /not a job id/],
      [['job', '1'.repeat(30)], /not a job id/],
      [['job', '1', '--interval', '5'], /--interval must be a whole number from 200/],
      [['job', '1', '--interval', '1e3'], /--interval/],
      [['job', '1', '--json', '--follow'], /--json prints the job once/],
      [['parked', 'list', '--limit', '0'], /--limit must be/],
      [['parked', 'list', '--limit', '99999999'], /--limit must be/],
      [['parked', 'list', 'extra'], /takes no arguments/],
      [['parked', 'replay'], /or --all/],
      [['parked', 'replay', 'a', '--all'], /or --all/],
      [['parked', 'replay', 'bad\u0000id'], /cannot be a message id/],
      [['parked', 'replay', 'x'.repeat(300)], /cannot be a message id/],
      [['parked', 'drop'], /Unknown parked action 'drop'/],
    ];
    for (const [argv, expected] of cases) {
      const message = usageError(argv);
      expect(message, argv.join(' ')).toMatch(expected);
      expect(message).toMatch(/See: ocs3 .*--help/);
    }
    const many = Array.from({ length: 1001 }, (_, i) => ['-e', `e${i}`]).flat();
    expect(usageError(['distribute', 'mp.xml', '-c', 'c', ...many])).toMatch(/At most 1000/);
  });
});

describe('ocs3 --help', () => {
  it.each([
    [[], 'main'],
    [['--help'], 'main'],
    [['help', 'job'], 'job'],
    [['distribute', '--help'], 'distribute'],
    [['retract', '-h'], 'retract'],
    [['job', '-h'], 'job'],
    [['parked'], 'parked'],
    [['parked', 'list', '--help'], 'parked'],
    [['parked', 'replay', '-h'], 'parked'],
  ] as const)('%j shows the %s help', async (argv, topic) => {
    const { io: cli, out, err } = io();
    expect(await runCli(argv, cli)).toBe(0);
    expect(out.join('')).toBe(helpText(topic));
    expect(err).toEqual([]);
  });

  it('every text has a usage line, examples or commands, the environment and exit statuses', () => {
    for (const topic of ['main', 'distribute', 'retract', 'job', 'parked'] as const) {
      const text = helpText(topic);
      expect(text).toMatch(/Usage/);
      expect(text).toMatch(/Exit status/);
      expect(text).toMatch(topic === 'main' ? /Commands:/ : /Examples?:/);
      expect(text).toMatch(topic === 'parked' ? /AMQP_URL/ : /OCS3_URL/);
      // Readable in an 80-column terminal.
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });
});

describe('ocs3 exit statuses before any request', () => {
  it('2 for a bad command line or environment, with the reason on standard error', async () => {
    const bad = io();
    expect(await runCli(['job', 'x'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/^ocs3: 'x' is not a job id/);
    expect(bad.out).toEqual([]);

    const noUrl = io();
    expect(await runCli(['job', '1'], noUrl.io)).toBe(2);
    expect(noUrl.err.join('')).toMatch(/--url or OCS3_URL/);

    const badEnv = io({ OCS3_URL: 'ftp://x' });
    expect(await runCli(['job', '1'], badEnv.io)).toBe(2);
    expect(badEnv.err.join('')).toMatch(/OCS3_URL/);

    const badPrefix = io({ AMQP_PREFIX: 'bad prefix!' });
    expect(await runCli(['parked', 'list'], badPrefix.io)).toBe(2);
    expect(badPrefix.err.join('')).toMatch(/AMQP_PREFIX/);

    const noPassword = io({ OCS3_URL: 'http://127.0.0.1:9', OCS3_USER: 'admin' });
    expect(await runCli(['job', '1'], noPassword.io)).toBe(2);
    expect(noPassword.err.join('')).toMatch(/needs a password/);

    const badUrl = io();
    expect(await runCli(['job', '1', '--url', 'file:///etc/passwd'], badUrl.io)).toBe(2);
    expect(badUrl.err.join('')).toMatch(/http\(s\) URL/);
  });

  it('1 for a mediapackage that cannot be read, before anything is sent', async () => {
    const cli = io({ OCS3_URL: 'http://127.0.0.1:9' });
    expect(await runCli(['distribute', 'missing.xml', '-c', 'c'], cli.io)).toBe(1);
    expect(cli.err.join('')).toMatch(/Cannot read missing.xml: no input in this test/);
  });
});
