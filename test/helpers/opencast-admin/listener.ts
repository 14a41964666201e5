/** An HTTP listener that can stop and listen again on the same port (a registry outage). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The listener; `url` keeps its value across stop/start. */
export interface Listener {
  readonly url: string;
  listen(): Promise<void>;
  /** Closes the server and every open connection; resolves once closed. */
  stop(): Promise<void>;
}

/** Wraps `handle`; the first `listen()` picks a free loopback port, later ones reuse it. */
export function restartableListener(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>,
): Listener {
  let port = 0;
  let server: Server | undefined;
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async listen() {
      const s = createServer((req, res) => {
        // No keep-alive: a client socket pooled before stop() would otherwise be reused after
        // listen() and fail at random; fault tests need restarts to be deterministic.
        res.setHeader('Connection', 'close');
        // The handler returns a promise that node:http ignores; drop it explicitly.
        void handle(req, res);
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => {
        s.close(() => {
          resolve();
        });
      });
    },
  };
}
