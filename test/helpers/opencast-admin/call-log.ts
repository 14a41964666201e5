/** Records every request the double answers, with its form fields, for assertions. */
import { createMiddleware } from 'hono/factory';
import type { AuthEnv } from './auth.js';
import { readForm } from './form.js';
import type { CallRecord } from './types.js';

const FORM = 'application/x-www-form-urlencoded';

/** Middleware appending a {@link CallRecord} to `calls` once the answer is known. */
export function callLog(calls: CallRecord[]) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const isForm = (c.req.header('Content-Type') ?? '').startsWith(FORM);
    const form = isForm ? [...(await readForm(c.req))] : undefined;
    await next();
    const url = new URL(c.req.url);
    calls.push({
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      status: c.res.status,
      user: c.get('user'),
      headers: Object.fromEntries(c.req.raw.headers),
      form,
    });
  });
}
