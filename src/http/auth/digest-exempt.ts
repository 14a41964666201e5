import type { Context } from 'hono';
import { DOCS_PAGE_PATHS } from '../docs-page-routes.js';
import { API_DOCUMENTS } from '../docs-routes.js';

/**
 * An `exempt` rule for `digestAuth`: `GET|HEAD /health`, `GET|HEAD /ready` (probes of
 * the orchestrator, which has no Opencast credentials) and `HEAD …/dispatch`, the heartbeat
 * Opencast's service registry sends. The heartbeat could authenticate (it goes through
 * HttpClient's normal challenge handling); exempting it saves a round trip and answers
 * nothing but 200.
 */
export function isHealthOrHeartbeat(c: Context): boolean {
  const method = c.req.method;
  const path = c.req.path.replace(/\/+$/, '');
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (path === '/health' || path === '/ready') return true;
  return method === 'HEAD' && path.endsWith('/dispatch');
}

/** `GET|HEAD /metrics`, exempt from `digestAuth` only when METRICS_PUBLIC says so. */
export function isMetrics(c: Context): boolean {
  const method = c.req.method;
  return (method === 'GET' || method === 'HEAD') && c.req.path.replace(/\/+$/, '') === '/metrics';
}

/**
 * `GET|HEAD /docs/openapi.json`, `/docs/asyncapi.json` and the docs page made from them
 * (`/docs.html`, `/docs`, `/distribution/s3/docs`): they describe interfaces, no data. The
 * page's testing forms call the API itself, which asks the browser for Digest credentials.
 */
export function isApiDocument(c: Context): boolean {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = c.req.path.replace(/\/+$/, '');
  return API_DOCUMENTS.some((name) => path === `/docs/${name}`) || DOCS_PAGE_PATHS.includes(path);
}
