/** Form posts as Opencast's remote proxy sends them (UTF-8 url-encoded fields). */
export function postForm(
  url: string,
  fields: Record<string, string>,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
      ...init.headers,
    },
    body: new URLSearchParams(fields).toString(),
    signal: init.signal,
  });
}

/** A loopback port nothing listens on right now: a refused connection for tests. */
export { freePort as closedPort } from './free-port.js';
