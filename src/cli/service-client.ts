/**
 * The service's HTTP API as the `ocs3` tool calls it: with Digest credentials through the
 * client the service uses for Opencast's registry (it answers the 401 challenge and keeps
 * the nonce), or plainly when no user is given.
 */
import { CliError, EXIT } from './cli-error.js';
import {
  DigestClient,
  type DigestRequest,
  type DigestResponse,
} from '../opencast-cluster/digest-client.js';

/** Where the service is and who calls it. */
export interface ServiceTarget {
  readonly url: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

/** Sends requests to the service; answers come back whatever their status. */
export class ServiceClient {
  readonly #digest: DigestClient | undefined;
  readonly #base: string;

  constructor(
    target: ServiceTarget,
    private readonly timeoutMs: number,
  ) {
    this.#base = target.url.replace(/\/+$/, '');
    this.#digest =
      target.user === undefined
        ? undefined
        : new DigestClient({ username: target.user, password: target.password ?? '', timeoutMs });
  }

  /** The service's URL (for messages). */
  get url(): string {
    return this.#base;
  }

  get(path: string): Promise<DigestResponse> {
    return this.#send({ method: 'GET', url: new URL(`${this.#base}${path}`) });
  }

  post(path: string, form: URLSearchParams): Promise<DigestResponse> {
    return this.#send({ method: 'POST', url: new URL(`${this.#base}${path}`), form });
  }

  async #send(request: DigestRequest): Promise<DigestResponse> {
    try {
      if (this.#digest !== undefined) return await this.#digest.send(request);
      const response = await fetch(request.url, {
        method: request.method,
        headers:
          request.form === undefined
            ? undefined
            : { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: request.form?.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (cause) {
      throw new CliError(
        `${request.method} ${request.url.href} got no answer (${describe(cause)})`,
        EXIT.unreachable,
        { cause },
      );
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The service's error answer `{"error":{"code","message"}}` in one line, or the status. */
export function errorOf(response: DigestResponse): string {
  try {
    const json = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = json.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') {
      return `HTTP ${response.status} ${code}: ${message}`;
    }
  } catch {
    // Not the service's JSON: the status says enough.
  }
  return `HTTP ${response.status}${response.status === 401 ? ' (credentials refused or missing: --user/--password or OCS3_USER/OCS3_PASSWORD)' : ''}`;
}
