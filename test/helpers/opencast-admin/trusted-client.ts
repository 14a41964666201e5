/**
 * Outgoing calls as Opencast's TrustedHttpClientImpl makes them (wire spec §4.5): POST gets a
 * body-less probe, then an RFC 2069 digest with the absolute URL as uri; HEAD/GET answer a
 * challenge the HttpClient way (qop=auth, path as uri).
 */
import { qopAuthHeader, readChallenge, rfc2069Header } from './digest.js';

/** The Digest account Opencast nodes use for each other. */
export interface Credentials {
  user: string;
  password: string;
}

/** A finished exchange, body read. */
export interface Exchange {
  status: number;
  headers: Headers;
  body: string;
}

const FORM_TYPE = 'application/x-www-form-urlencoded; charset=UTF-8';

/** Probe, then the real form request with `fields` in order and `headers` added. */
export async function trustedForm(
  method: 'POST' | 'PUT',
  url: string,
  fields: Array<[string, string]>,
  headers: Record<string, string>,
  creds: Credentials,
  signal?: AbortSignal,
): Promise<Exchange> {
  const probe = await fetch(url, { method, headers: { 'X-Requested-Auth': 'Digest' }, signal });
  await probe.arrayBuffer();
  const challenge =
    probe.status === 401 ? readChallenge(probe.headers.get('WWW-Authenticate')) : undefined;
  const auth: Record<string, string> =
    challenge === undefined
      ? {}
      : { Authorization: rfc2069Header(method, url, creds.user, creds.password, challenge) };
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': FORM_TYPE, 'X-Requested-Auth': 'Digest', ...headers, ...auth },
    body: new URLSearchParams(fields).toString(),
    signal,
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** {@link trustedForm} with POST, the method of every proxy and dispatcher call. */
export function trustedPost(
  url: string,
  fields: Array<[string, string]>,
  headers: Record<string, string>,
  creds: Credentials,
  signal?: AbortSignal,
): Promise<Exchange> {
  return trustedForm('POST', url, fields, headers, creds, signal);
}

/** A GET or HEAD that answers one Digest challenge. */
export async function trustedRead(
  method: 'GET' | 'HEAD',
  url: string,
  creds: Credentials,
  signal?: AbortSignal,
): Promise<Exchange> {
  const base = { 'X-Requested-Auth': 'Digest' };
  let res = await fetch(url, { method, headers: base, signal });
  const challenge =
    res.status === 401 ? readChallenge(res.headers.get('WWW-Authenticate')) : undefined;
  if (challenge !== undefined) {
    await res.arrayBuffer();
    const u = new URL(url);
    const authorization = qopAuthHeader(
      method,
      u.pathname + u.search,
      creds.user,
      creds.password,
      challenge,
    );
    res = await fetch(url, { method, headers: { ...base, Authorization: authorization }, signal });
  }
  return { status: res.status, headers: res.headers, body: await res.text() };
}
