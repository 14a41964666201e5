/**
 * LOG_FORMAT=pretty: pino's JSON lines turned into lines for people reading a terminal,
 * `12:13:52.123 INFO  HTTP adapter listening url=http://127.0.0.1:8080`. Stack traces only
 * for errors and fatals; other levels show the error's message. Collectors keep the JSON.
 */

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every line has, shown in their own places or not at all. */
const OWN_PLACE = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);
const MAX_VALUE = 300;

function value(field: unknown): string {
  if (typeof field === 'string') {
    return /^[^\s"=]+$/.test(field) ? field : JSON.stringify(field);
  }
  const text = JSON.stringify(field);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}...` : text;
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  return date.toISOString().slice(11, 23);
}

interface ErrField {
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly code?: unknown;
}

/** One pino JSON line as a line for people; text that is not JSON passes unchanged. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key, field]) => !OWN_PLACE.has(key) && field !== undefined)
    .map(([key, field]) => `${key}=${value(field)}`);
  const err = entry.err as ErrField | undefined;
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  // The error's message, unless the line's message already says it.
  if (err !== undefined && typeof err === 'object' && !msg.includes(String(err.message))) {
    const code = typeof err.code === 'string' ? ` (${err.code})` : '';
    fields.push(`err=${value(`${String(err.message)}${code}`)}`);
  }
  let line = `${clock(entry.time)} ${name} ${msg}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
  if (level >= 50 && typeof err?.stack === 'string') {
    line += `\n${err.stack.replace(/^/gm, '    ')}`;
  }
  return `${line}\n`;
}

/** A pino destination writing {@link prettyLine}s to `out` (standard output by default). */
export function prettyDestination(out: { write(text: string): unknown } = process.stdout): {
  write(line: string): void;
} {
  return {
    write(line) {
      out.write(prettyLine(line));
    },
  };
}
