/**
 * HTTP client for Opencast's `/services/**` with the Digest system account. Every request
 * carries `X-Requested-Auth: Digest`, so Opencast answers 401 with a challenge instead of a
 * redirect to its login page (protocol §3). The last challenge per origin is kept and
 * answered up front; a new 401 (a stale nonce) is answered once more with its challenge.
 */
import { createDigestAuthorization } from '../sources/digest-auth.js';
import { parseWwwAuthenticate } from '../digest/challenges.js';
import { transportError } from './registry-error.js';

/** One call; the body is a string or form so that it can be sent again after a 401. */
export interface DigestRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: URL;
  readonly form?: URLSearchParams | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The answer, with its body already read. */
export interface DigestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Credentials and the time allowed for each HTTP exchange. */
export interface DigestClientOptions {
  readonly username: string;
  readonly password: string;
  /** Milliseconds per exchange, body included; default 30 s. */
  readonly timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
type Challenge = ReadonlyMap<string, string>;

/** Sends requests with Digest authentication, reusing each origin's last nonce. */
export class DigestClient {
  private readonly challenges = new Map<string, Challenge>();

  constructor(private readonly options: DigestClientOptions) {}

  /**
   * Sends the request and returns any answer, including error statuses; a 401 comes back
   * only when the fresh challenge was refused too (or none could be answered).
   * @throws RegistryError REGISTRY_UNAVAILABLE on a network failure or timeout.
   */
  async send(request: DigestRequest): Promise<DigestResponse> {
    const origin = request.url.origin;
    const first = await this.exchange(request, this.challenges.get(origin));
    if (first.status !== 401) return first;
    const challenge = this.answerable(first.headers.get('www-authenticate'), request);
    if (challenge === undefined) return first;
    this.challenges.set(origin, challenge);
    const second = await this.exchange(request, challenge);
    if (second.status === 401) this.challenges.delete(origin);
    return second;
  }

  /** The first Digest challenge of a 401 that this client can answer. */
  private answerable(header: string | null, request: DigestRequest): Challenge | undefined {
    return parseWwwAuthenticate(header ?? '').find(
      (c) => c.scheme === 'digest' && this.authorization(c.params, request) !== undefined,
    )?.params;
  }

  private authorization(challenge: Challenge, request: DigestRequest): string | undefined {
    return createDigestAuthorization({
      challenge,
      username: this.options.username,
      password: this.options.password,
      method: request.method,
      uri: `${request.url.pathname}${request.url.search}`,
    });
  }

  private async exchange(
    request: DigestRequest,
    challenge: Challenge | undefined,
  ): Promise<DigestResponse> {
    const headers = new Headers(request.headers);
    headers.set('X-Requested-Auth', 'Digest');
    const authorization =
      challenge === undefined ? undefined : this.authorization(challenge, request);
    if (authorization !== undefined) headers.set('Authorization', authorization);
    if (request.form !== undefined) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
    }
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const what = `${request.method} ${request.url.pathname}`;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers,
        body: request.form?.toString(),
        // A redirect means the login page: report it rather than follow it.
        redirect: 'manual',
        signal,
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (error) {
      throw transportError(what, error);
    }
  }
}
