import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

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

/**
 * A loopback port nothing listens on right now (a server was bound to it and closed): a
 * refused connection for tests, or a free port for a process a test starts.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
