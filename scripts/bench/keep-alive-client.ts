/**
 * A small HTTP client for the bench's concurrent callers: node:http with a keep-alive agent.
 * `fetch` (undici through web streams) cost ~0.6 ms of CPU per request in the bench process,
 * on the same two cores as the service, so at 50 callers the bench measured its own client
 * as much as the service. One socket per caller (maxSockets = concurrency), reused across
 * requests like Opencast's pooled HTTP client does.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** POSTs forms over pooled keep-alive connections; `close()` ends them. */
export interface KeepAliveClient {
  /** POSTs a urlencoded form; resolves with the ms to the whole answer; throws unless 200. */
  postForm(url: string, body: string): Promise<number>;
  /** Closes every pooled connection (a fresh client opens new ones). */
  close(): void;
}

const FORM_TYPE = 'application/x-www-form-urlencoded; charset=UTF-8';

/** A client holding up to `maxSockets` connections (one per concurrent caller). */
export function keepAliveClient(maxSockets: number): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    postForm: (url, body) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'Content-Type': FORM_TYPE, 'Content-Length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              if (res.statusCode === 200) {
                resolve(performance.now() - started);
                return;
              }
              const text = Buffer.concat(chunks).toString('utf8').slice(0, 300);
              reject(new Error(`${url} answered ${String(res.statusCode)}: ${text}`));
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => {
      agent.destroy();
    },
  };
}
