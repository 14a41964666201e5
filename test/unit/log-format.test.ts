import { describe, expect, it } from 'vitest';
import { prettyDestination, prettyLine } from '../../src/log-format.js';

const time = Date.UTC(2026, 11, 5, 12, 13, 52, 123);
const line = (entry: Record<string, unknown>) =>
  prettyLine(`${JSON.stringify({ time, pid: 1, hostname: 'h', ...entry })}\n`);

describe('LOG_FORMAT=pretty lines', () => {
  it('show the time, the level and the message, then the other fields', () => {
    expect(line({ level: 30, msg: 'HTTP adapter listening', url: 'http://127.0.0.1:8080' })).toBe(
      '12:13:52.123 INFO  HTTP adapter listening url=http://127.0.0.1:8080\n',
    );
  });

  it('quote strings with spaces and show objects as JSON, bounded', () => {
    const text = line({ level: 40, msg: 'm', detail: 'a b', list: [1, 2], big: 'x'.repeat(10) });
    expect(text).toBe('12:13:52.123 WARN  m detail="a b" list=[1,2] big=xxxxxxxxxx\n');
    const huge = line({ level: 30, msg: 'm', data: { a: 'y'.repeat(1000) } });
    expect(huge.length).toBeLessThan(400);
  });

  it("show an error's message below error level, its stack at error and fatal", () => {
    const err = {
      type: 'Error',
      message: 'connect ECONNREFUSED',
      code: 'ECONNREFUSED',
      stack: 'Error: x\n    at f (a.js:1:1)',
    };
    const warn = line({ level: 40, msg: 'broker connection attempt failed', err });
    expect(warn).toBe(
      '12:13:52.123 WARN  broker connection attempt failed err="connect ECONNREFUSED (ECONNREFUSED)"\n',
    );
    const fatal = line({ level: 60, msg: 'could not start: connect ECONNREFUSED', err });
    expect(fatal).toBe(
      '12:13:52.123 FATAL could not start: connect ECONNREFUSED\n    Error: x\n        at f (a.js:1:1)\n',
    );
  });

  it('pass text that is not JSON through unchanged', () => {
    expect(prettyLine('not json')).toBe('not json\n');
    expect(prettyLine('{"broken"\n')).toBe('{"broken"\n');
  });

  it('are what the destination writes', () => {
    const written: string[] = [];
    prettyDestination({ write: (text) => written.push(text) }).write(
      JSON.stringify({ level: 50, time, msg: 'boom' }),
    );
    expect(written).toEqual(['12:13:52.123 ERROR boom\n']);
  });
});
