/**
 * An in-process S3 server (s3rver) for trying the service out without an S3 endpoint, and for
 * tests. s3rver is unmaintained and has gaps (see s3-delete-prefix.ts and platform-notes.md);
 * it is loaded only here, on first use, and is not in the production image.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import { loadS3rver } from './load-s3rver.js';
import { honourIfNoneMatch } from './s3rver-conditional.js';

/** Options of {@link startEmbeddedS3}. */
export interface EmbeddedS3Options {
  /** Directory that holds buckets and objects. */
  readonly directory: string;
  /** Interface to listen on: default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Port: default 0, a free port chosen by the OS. */
  readonly port?: number | undefined;
  /**
   * Refuse `If-None-Match: *` writes to existing keys with 412, as AWS S3 and MinIO do
   * (s3rver-conditional.ts); default false: s3rver's own behaviour, which writes anyway.
   */
  readonly conditionalWrites?: boolean | undefined;
}

/** A running embedded S3 server. */
export interface EmbeddedS3 {
  /** `http://host:port`, for the S3 client's `endpoint`. */
  readonly endpoint: string;
  readonly accessKeyId: 'S3RVER';
  readonly secretAccessKey: 'S3RVER';
  /** Stops the server and drops open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts s3rver with its logging silenced and resolves once it listens. Rejects with
 * STORAGE_REJECTED when s3rver is not installed (the production image).
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const host = options.host ?? '127.0.0.1';
  const S3rver = await loadS3rver();
  const app = new S3rver({ silent: true, directory: options.directory });
  // Our own HTTP server rather than s3rver's run(): run() never settles when listen fails
  // (EADDRINUSE becomes an uncaught exception).
  const handler = app.callback();
  const server = createServer(
    options.conditionalWrites === true ? honourIfNoneMatch(app.store, handler) : handler,
  );
  const address = await listen(server, options.port ?? 0, host);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${urlHost}:${address.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Keep-alive sockets of S3 clients would hold close() open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new AppError(
          'STORAGE_UNAVAILABLE',
          `The embedded S3 server could not listen on ${host}:${port}`,
          {
            cause: error,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
