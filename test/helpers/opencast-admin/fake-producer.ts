/**
 * A tiny job producer for the double's own tests: answers `{path}/dispatch` (HEAD and POST)
 * with scripted statuses behind a Digest challenge, and records what it received.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REALM } from './digest.js';

/** A request the producer got. */
export interface ProducerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The running producer. */
export interface FakeProducer {
  /** `http://127.0.0.1:<port>`: the host string `H`. */
  readonly host: string;
  readonly requests: ProducerRequest[];
  /** Status for HEAD (heartbeat) and for authenticated POST (dispatch); both default 200/204. */
  answers: { head: number; post: number };
  /** Called for each authenticated request before it is answered (to look at the registry then). */
  onRequest: ((req: ProducerRequest) => void) | undefined;
  close(): Promise<void>;
}

/** Starts a producer; requests without `Authorization` get a Digest challenge. */
export async function startFakeProducer(): Promise<FakeProducer> {
  const requests: ProducerRequest[] = [];
  const answers = { head: 200, post: 204 };
  const self: { onRequest: FakeProducer['onRequest'] } = { onRequest: undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      if (req.headers.authorization !== undefined) self.onRequest?.(recorded);
      if (req.headers.authorization === undefined) {
        res.writeHead(401, {
          'WWW-Authenticate': `Digest realm="${REALM}", nonce="producer-nonce"`,
        });
      } else {
        res.writeHead(req.method === 'HEAD' ? answers.head : answers.post);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    answers,
    get onRequest() {
      return self.onRequest;
    },
    set onRequest(fn) {
      self.onRequest = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
