/**
 * An HTTP proxy in front of a test S3 server that logs every request and can fail or stall
 * the ones a rule picks, standing in for an S3 that answers 503 or hangs. Requests pass
 * unchanged (the Host header too, so SigV4 signatures still match).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Whether it carries credentials: an Authorization header or a presigned query. */
  readonly signed: boolean;
}

/** What to do with a request: forward it, never answer it, or answer with an S3 error. */
export type ProxyAction =
  'pass' | 'stall' | { readonly status: number; readonly code: string; readonly message?: string };

/** A running {@link startS3Proxy}. */
export interface S3Proxy {
  /** `http://127.0.0.1:<port>`: the S3 client's endpoint. */
  readonly endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Decides each later request; the default passes everything. */
  setRule(rule: (request: ProxiedRequest) => ProxyAction): void;
  close(): Promise<void>;
}

/** Whether a request is an UploadPart (PUT with partNumber and uploadId). */
export function isUploadPart(request: ProxiedRequest): boolean {
  return (
    request.method === 'PUT' && request.query.has('partNumber') && request.query.has('uploadId')
  );
}

/** Whether a request is an AbortMultipartUpload (DELETE with uploadId). */
export function isAbortMultipart(request: ProxiedRequest): boolean {
  return request.method === 'DELETE' && request.query.has('uploadId');
}

/** Starts a proxy on a free loopback port in front of `target` (an http endpoint). */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let rule: (request: ProxiedRequest) => ProxyAction = () => 'pass';

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const seen: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      signed: req.headers.authorization !== undefined || url.searchParams.has('X-Amz-Signature'),
    };
    requests.push(seen);
    const action = rule(seen);
    if (action === 'pass') {
      forward(req, res);
      return;
    }
    // Read the body either way: an answer before the body is read can reach the client as
    // a reset instead.
    req.resume();
    if (action === 'stall') return;
    req.on('end', () => {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${action.code}</Code><Message>${action.message ?? action.code}</Message></Error>`;
      res.writeHead(action.status, { 'content-type': 'application/xml' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setRule(next) {
      rule = next;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
