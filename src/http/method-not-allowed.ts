import type { Context } from 'hono';

/** A route as Hono lists it (`app.routes`). */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/** Without the trailing slash (the app is not strict about it), `/` stays. */
function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function matcher(pattern: string): RegExp {
  const source = trimSlash(pattern)
    .split('/')
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The methods the routes serve at `path` (GET brings HEAD, as Hono answers HEAD from GET),
 * sorted; empty when the path is unknown. Middleware (`ALL`) serves nothing by itself.
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const wanted = trimSlash(path);
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === 'ALL' || !matcher(route.path).test(wanted)) continue;
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
  }
  return [...methods].sort();
}

/**
 * The answer to a request no route took: 405 with `Allow` when the path is served with
 * other methods (a GET to a POST-only route says which to use), else 404.
 */
export function noRouteAnswer(c: Context, routes: readonly RouteEntry[]): Response {
  const allowed = allowedMethods(routes, c.req.path);
  if (allowed.length === 0) {
    return c.json({ error: { code: 'NOT_FOUND', message: 'No such resource' } }, 404);
  }
  c.header('Allow', allowed.join(', '));
  const message = `${c.req.method} is not served at ${c.req.path}; use ${allowed.join(' or ')}`;
  return c.json({ error: { code: 'METHOD_NOT_ALLOWED', message } }, 405);
}
