import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { answerChallenge } from '../../../src/sources/http-auth.js';
import type { SourceCredential } from '../../../src/sources/source-credential.js';

const USER = 'system_account';
const PASSWORD = 'S3cr3t-p4ss';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const DIGEST = 'Digest realm="Opencast", nonce="n0nce", qop="auth"';
const HTTP = new URL('http://oc.example.org/files/a.mp4?x=1');
const HTTPS = new URL('https://oc.example.org/files/a.mp4');

function credential(options: Partial<SourceCredential> = {}): SourceCredential {
  return {
    urlPrefix: 'http://oc.example.org/files',
    username: USER,
    password: PASSWORD,
    ...options,
  };
}

function refusal(header: string | null, url: URL, creds: SourceCredential | undefined): AppError {
  try {
    answerChallenge(header, url, creds, '"the source"');
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected answerChallenge to throw');
}

describe('answerChallenge', () => {
  it('answers Digest by default, over http too', () => {
    expect(answerChallenge(DIGEST, HTTP, credential(), 'x')).toMatch(
      /^Digest username="system_account", .*uri="\/files\/a\.mp4\?x=1"/,
    );
  });

  it.each([
    ['Basic first', `Basic realm="f", ${DIGEST}`],
    ['Digest first', `${DIGEST}, Basic realm="f"`],
  ])('prefers Digest to Basic whenever both are offered (%s)', (_name, header) => {
    const both = credential({ schemes: ['basic', 'digest'], allowBasicOverHttp: true });
    expect(answerChallenge(header, HTTPS, both, 'x')).toMatch(/^Digest /);
  });

  it('answers the first Digest challenge it supports', () => {
    const header = `Digest realm="a", nonce="n1", algorithm=SHA-512-256, ${DIGEST}`;
    expect(answerChallenge(header, HTTPS, credential(), 'x')).toMatch(/nonce="n0nce"/);
  });

  it('answers Basic over https when enabled', () => {
    const basic = credential({ schemes: ['basic'] });
    expect(answerChallenge('Basic realm="f"', HTTPS, basic, 'x')).toBe(BASIC);
  });

  it('answers Basic over http only with allowBasicOverHttp', () => {
    const basic = credential({ schemes: ['digest', 'basic'], allowBasicOverHttp: true });
    expect(answerChallenge('Basic realm="f"', HTTP, basic, 'x')).toBe(BASIC);
  });

  it('falls back to an enabled Basic when the Digest variant is unsupported', () => {
    const header = 'Digest realm="a", nonce="n", qop="auth-int", Basic realm="f"';
    const basic = credential({ schemes: ['digest', 'basic'] });
    expect(answerChallenge(header, HTTPS, basic, 'x')).toBe(BASIC);
  });

  it.each([
    ['no credentials', 'Basic realm="f"', HTTPS, undefined, /none are configured/],
    ['Basic by default', 'Basic realm="f"', HTTPS, credential(), /Basic .*not allow.*digest\)/],
    [
      'Basic over http',
      'Basic realm="f"',
      HTTP,
      credential({ schemes: ['basic', 'digest'] }),
      /Basic authentication over plain http; the password is not sent.*allowBasicOverHttp/,
    ],
    [
      'Basic over http, allowBasicOverHttp false',
      `Basic realm="f", Digest realm="a", nonce="n", qop="auth-int"`,
      HTTP,
      credential({ schemes: ['basic', 'digest'], allowBasicOverHttp: false }),
      /plain http/,
    ],
    [
      'Basic over http with allowBasicOverHttp but Basic not enabled',
      'Basic realm="f"',
      HTTP,
      credential({ allowBasicOverHttp: true }),
      /Basic authentication, which its credentials do not allow/,
    ],
    [
      'Digest when only Basic is enabled',
      DIGEST,
      HTTPS,
      credential({ schemes: ['basic'] }),
      /Digest authentication, which its credentials do not allow \(schemes: basic\)/,
    ],
    [
      'an unsupported Digest variant',
      'Digest realm="a", nonce="n", algorithm=SHA-512-256',
      HTTPS,
      credential(),
      /Digest variant this service does not support/,
    ],
    ['Bearer', 'Bearer realm="api"', HTTPS, credential(), /scheme this service does not support/],
    ['no header', null, HTTPS, credential(), /scheme this service does not support/],
    ['a garbage header', '=,,"\u0000', HTTPS, credential(), /does not support/],
  ] as const)('refuses %s with SOURCE_FORBIDDEN', (_name, header, url, creds, message) => {
    const error = refusal(header, url, creds);
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^Source "the source" /);
    // Nothing secret in what may be logged or published in an event.
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain(USER);
  });
});
