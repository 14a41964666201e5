/**
 * `If-None-Match: *` for s3rver, which ignores it. AWS S3 and MinIO refuse a create-only
 * write (PutObject, CopyObject, CompleteMultipartUpload) to a key that holds an object with
 * 412 PreconditionFailed; this request handler in front of s3rver does the same, so that
 * tests and the bench run the path production runs (no HEAD before a small write) rather
 * than the fallback for stores without conditional writes.
 *
 * The check and the write must not interleave with another write of the same key, or two
 * create-only writes could both pass: the object-level writes and deletes of one key
 * (path-style URLs) therefore run one after the other. Parts of a multipart upload are
 * not writes of the key and are not held up.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** What the handler needs from s3rver: whether a key holds an object. */
export interface ObjectExistence {
  existsObject(bucket: string, key: string): Promise<boolean>;
}

/** The bucket and key of an object-level write or delete; undefined for anything else. */
function objectWrite(req: IncomingMessage): { bucket: string; key: string } | undefined {
  const { method, url } = req;
  if (method !== 'PUT' && method !== 'POST' && method !== 'DELETE') return undefined;
  if (url === undefined) return undefined;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  // PUT: PutObject and CopyObject carry no sub-resource (UploadPart has uploadId, tagging
  // and acl their own); POST: only CompleteMultipartUpload writes the key; DELETE: the
  // object itself, or (with uploadId) an abort that leaves the key alone.
  const writes =
    method === 'POST'
      ? query.has('uploadId')
      : [...query.keys()].every((name) => name === 'x-id' || name === 'versionId');
  if (!writes) return undefined;
  const slash = path.indexOf('/', 1);
  if (slash === -1 || slash === path.length - 1) return undefined;
  try {
    return {
      bucket: decodeURIComponent(path.slice(1, slash)),
      key: decodeURIComponent(path.slice(slash + 1)),
    };
  } catch {
    return undefined;
  }
}

function preconditionFailed(res: ServerResponse, key: string): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
    '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
    `<Condition>If-None-Match</Condition><Resource>${escapeXml(key)}</Resource></Error>`;
  res.writeHead(412, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amz-error-code': 'PreconditionFailed',
  });
  res.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Wraps s3rver's request handler: create-only writes to a key that holds an object are
 * answered 412 (their body is read and dropped), everything else goes to s3rver.
 */
export function honourIfNoneMatch(store: ObjectExistence, next: RequestListener): RequestListener {
  /** Per bucket and key, the end of the last write queued: writes of a key run in turn. */
  const tails = new Map<string, Promise<void>>();

  const turn = async (id: string): Promise<() => void> => {
    const before = tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    tails.set(id, tail);
    await before;
    return () => {
      release();
      if (tails.get(id) === tail) tails.delete(id);
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = objectWrite(req);
    if (target === undefined) {
      next(req, res);
      return;
    }
    const release = await turn(`${target.bucket}/${target.key}`);
    res.once('close', release);
    if (
      req.headers['if-none-match'] === '*' &&
      req.method !== 'DELETE' &&
      (await store.existsObject(target.bucket, target.key))
    ) {
      req.resume();
      preconditionFailed(res, target.key);
      return;
    }
    next(req, res);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  };
}
