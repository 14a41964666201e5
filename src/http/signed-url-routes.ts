import { Hono, type Context } from 'hono';
import type { SignedUrl, SigningRequest } from '../distribution/signed-urls.js';
import { AppError } from '../errors.js';
import { authenticatedUser } from './auth/digest-auth.js';
import { ORGANIZATION_HEADER, parseIdentifier } from './request-fields.js';

/** What the signed-URL routes need. */
export interface SignedUrlRouteDeps {
  /** Signs published URLs (all or none); undefined: signing is not configured. */
  readonly signUrls?: ((request: SigningRequest) => Promise<SignedUrl[]>) | undefined;
  readonly defaultOrganization: string;
}

/** Signed URLs are credentials: no cache may keep them. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * Hands out signed URLs of published files (issue 10): `GET /signed-url?url=...` for one,
 * `POST /signed-urls` with `{"urls": [...]}` for several. Only to authenticated callers,
 * and only for files of the caller's organization (the Opencast organization header, which
 * needs ROLE_ADMIN to switch, or the default): never an open signer for arbitrary URLs.
 */
export function signedUrlRoutes(deps: SignedUrlRouteDeps): Hono {
  const app = new Hono();

  app.get('/signed-url', async (c) => {
    const urls = c.req.queries('url') ?? [];
    if (urls.length !== 1) {
      throw new AppError('INVALID_INPUT', 'Name exactly one url (POST /signed-urls signs several)');
    }
    const validSeconds = c.req.queries('validSeconds');
    if (validSeconds !== undefined && validSeconds.length > 1) {
      throw new AppError('INVALID_INPUT', 'validSeconds is given more than once');
    }
    const [signed] = await sign(c, deps, urls, validSeconds?.[0]);
    return c.json(signed, 200, NO_STORE);
  });

  app.post('/signed-urls', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('INVALID_INPUT', 'The body must be JSON: {"urls": ["..."]}');
    }
    const { urls, validSeconds } = (body ?? {}) as { urls?: unknown; validSeconds?: unknown };
    if (!Array.isArray(urls) || !urls.every((url) => typeof url === 'string')) {
      throw new AppError('INVALID_INPUT', 'urls must be an array of strings');
    }
    if (validSeconds !== undefined && typeof validSeconds !== 'number') {
      throw new AppError('INVALID_INPUT', 'validSeconds must be a whole number');
    }
    // The use case checks the number and its bounds, as for the query parameter.
    const seconds = validSeconds === undefined ? undefined : String(validSeconds);
    return c.json({ signedUrls: await sign(c, deps, urls, seconds) }, 200, NO_STORE);
  });
  return app;
}

function sign(
  c: Context,
  deps: SignedUrlRouteDeps,
  urls: readonly string[],
  validSeconds: string | undefined,
): Promise<SignedUrl[]> {
  if (deps.signUrls === undefined) {
    throw new AppError(
      'SIGNING_DISABLED',
      'Signed URLs are not configured (S3_PRESIGNED_URLS, or CLOUDFRONT_KEY_PAIR_ID with a private key)',
    );
  }
  if (authenticatedUser(c) === undefined) {
    throw new AppError(
      'FORBIDDEN',
      'Signed URLs are handed out only to authenticated callers: configure AUTH_DIGEST_USER',
    );
  }
  const header = c.req.header(ORGANIZATION_HEADER)?.trim();
  const organization =
    header === undefined || header === ''
      ? deps.defaultOrganization
      : parseIdentifier(header, 'Organization');
  return deps.signUrls({ organization, urls, validSeconds });
}
