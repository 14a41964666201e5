/**
 * Credentials answered to a source's 401 challenge. They are usually Opencast's system
 * account (admin and sudo roles), so how they may be sent is restricted per credential.
 */
import { AppError } from '../errors.js';

/** An authentication scheme a credential may answer. */
export type AuthScheme = 'digest' | 'basic';

/** The schemes of a credential that names none: Opencast's working-file repository speaks Digest. */
export const DEFAULT_AUTH_SCHEMES: readonly AuthScheme[] = Object.freeze(['digest'] as const);

const KNOWN_SCHEMES: ReadonlySet<unknown> = new Set<AuthScheme>(['digest', 'basic']);
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A user name and password for the source URLs under `urlPrefix` (longest prefix wins). */
export interface SourceCredential {
  readonly urlPrefix: string;
  readonly username: string;
  readonly password: string;
  /**
   * Schemes these credentials may answer; default {@link DEFAULT_AUTH_SCHEMES}, so Basic
   * must be enabled explicitly. Digest is preferred whenever offered, whatever the order.
   */
  readonly schemes?: readonly AuthScheme[] | undefined;
  /**
   * Whether Basic may be answered over plain http, where the password travels readable by
   * anyone on the path. Default false: Basic only over https.
   */
  readonly allowBasicOverHttp?: boolean | undefined;
}

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', `sources.${field}: ${message}`);
}

function schemesOf(field: string, value: unknown): readonly AuthScheme[] {
  if (value === undefined) return DEFAULT_AUTH_SCHEMES;
  // Checked at run time too: the list may come from an environment variable.
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => KNOWN_SCHEMES.has(s))) {
    throw invalid(`${field}.schemes`, 'must be a non-empty list of "digest" and "basic"');
  }
  return Object.freeze([...new Set(value as AuthScheme[])]);
}

/**
 * Validates one credential and returns a frozen copy with its defaults filled in and
 * `urlPrefix` replaced by the canonical `urlPrefix` given. Messages never show the password.
 * @throws AppError INVALID_INPUT naming the offending field.
 */
export function normalizeCredential(
  entry: SourceCredential,
  field: string,
  urlPrefix: string,
): Required<SourceCredential> {
  if (entry.username === '' || entry.username.includes(':')) {
    throw invalid(`${field}.username`, 'must be non-empty and must not contain ":"');
  }
  if (CONTROL_CHARS.test(entry.username) || CONTROL_CHARS.test(entry.password)) {
    throw invalid(field, 'must not contain control characters');
  }
  const allowBasicOverHttp: unknown = entry.allowBasicOverHttp ?? false;
  if (typeof allowBasicOverHttp !== 'boolean') {
    throw invalid(`${field}.allowBasicOverHttp`, 'must be true or false');
  }
  return Object.freeze({
    urlPrefix,
    username: entry.username,
    password: entry.password,
    schemes: schemesOf(field, entry.schemes),
    allowBasicOverHttp,
  });
}
