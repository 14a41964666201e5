/** Why a credential was refused; for logs and metrics, never sent to the client. */
export type DigestRejectReason =
  | 'missing'
  | 'malformed'
  | 'scheme'
  | 'unsupported'
  | 'realm'
  | 'qop'
  | 'uri'
  | 'nonce'
  | 'credentials'
  | 'expired'
  | 'replayed'
  | 'forgotten';

/** The outcome of checking one credential. `stale` asks the client for a new nonce only. */
export type Verdict =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: DigestRejectReason; readonly stale?: boolean };

/** Looks a user's password up; undefined for an unknown user. */
export type PasswordLookup = (username: string) => string | undefined | Promise<string | undefined>;
