import { MAX_AUTHORIZATION_LENGTH } from '../../digest/auth-params.js';
import { hasControl } from '../../digest/auth-syntax.js';

/** The scheme of an `Authorization` header and what follows it, or undefined if malformed. */
export function splitAuthorization(
  header: string,
): { readonly scheme: string; readonly credentials: string } | undefined {
  if (header.length > MAX_AUTHORIZATION_LENGTH || hasControl(header)) return undefined;
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S.*)$/s.exec(header.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { scheme: match[1].toLowerCase(), credentials: match[2] };
}
