/**
 * Calls to the admin node's REST endpoints: URLs under its base, form bodies, and the
 * check of the expected status. Shared by the registry client's files.
 */
import { DigestClient, type DigestClientOptions, type DigestResponse } from './digest-client.js';
import { statusError } from './registry-error.js';

/** One call to the admin node, relative to its base URL. */
export interface RegistryCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path below the base URL, without a leading slash: `services/registerhost`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>> | undefined;
  readonly form?: URLSearchParams | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The admin node's base URL and a Digest client for it. */
export class RegistryHttp {
  private readonly base: URL;
  private readonly client: DigestClient;

  constructor(baseUrl: string, options: DigestClientOptions) {
    // A trailing slash keeps a base path such as `https://oc.example.org/admin`.
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.client = new DigestClient(options);
  }

  /** Sends the call and returns any answer. @throws RegistryError on no answer. */
  send(call: RegistryCall): Promise<DigestResponse> {
    const url = new URL(call.path, this.base);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      url.searchParams.set(name, value);
    }
    return this.client.send({ method: call.method, url, form: call.form, headers: call.headers });
  }

  /**
   * Sends the call and insists on one of the `expected` statuses.
   * @throws RegistryError REGISTRY_UNAVAILABLE (5xx, no answer) or REGISTRY_REJECTED.
   */
  async expect(call: RegistryCall, ...expected: number[]): Promise<DigestResponse> {
    const response = await this.send(call);
    if (!expected.includes(response.status)) {
      throw statusError(`${call.method} /${call.path}`, response.status);
    }
    return response;
  }
}
