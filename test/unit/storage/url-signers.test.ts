/**
 * CloudFront signed URLs checked the way CloudFront checks them: the canned policy rebuilt
 * from the URL and its Expires, and its signature verified with the public key of a key
 * pair made for the test.
 */
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { signingTerms } from '../../../src/distribution/signed-urls.js';
import { cloudFrontUrlSigner } from '../../../src/storage/url-signers.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const URL_OK =
  'https://d111111abcdef8.cloudfront.net/mh_default_org/engage/mp-1/t-1/video%20(1).mp4';
const subject = { bucket: 'b', key: 'mh_default_org/engage/mp-1/t-1/video (1).mp4', url: URL_OK };
const terms = signingTerms(new Date('2026-12-05T12:00:00Z'), 3_600_000, 'GET');

/** CloudFront's URL-safe base64 back to plain base64. */
const fromCloudFrontBase64 = (text: string) =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

function cannedPolicy(resource: string, expires: number): string {
  return JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }],
  });
}

/** Whether CloudFront would accept `signed` for `resource`, checked with `key`. */
function verifies(signed: string, key: KeyObject, resource?: string): boolean {
  const url = new URL(signed);
  const expires = Number(url.searchParams.get('Expires'));
  const algorithm = url.searchParams.get('Hash-Algorithm') === 'SHA256' ? 'sha256' : 'sha1';
  const policy = cannedPolicy(resource ?? signed.slice(0, signed.indexOf('?')), expires);
  const signature = fromCloudFrontBase64(url.searchParams.get('Signature') ?? '');
  return verify(algorithm, Buffer.from(policy), key, signature);
}

describe('CloudFront signed URLs', () => {
  const signer = cloudFrontUrlSigner({
    keyPairId: 'K2JCJMDEHXQW5F',
    privateKey: PEM,
    algorithm: 'SHA1',
  });

  it('verify with the public key, for the published URL, until the expiry', async () => {
    const signed = await signer.sign(subject, terms);
    const url = new URL(signed);
    expect(`${url.origin}${url.pathname}`).toBe(new URL(URL_OK).href);
    expect(url.searchParams.get('Key-Pair-Id')).toBe('K2JCJMDEHXQW5F');
    expect(Number(url.searchParams.get('Expires'))).toBe(terms.expiresAt.getTime() / 1000);
    expect(verifies(signed, publicKey)).toBe(true);
  });

  it('do not verify for another file, another expiry or another key', async () => {
    const signed = await signer.sign(subject, terms);
    expect(verifies(signed, publicKey, URL_OK.replace('t-1', 't-2'))).toBe(false);
    const later = signed.replace(/Expires=\d+/, `Expires=${terms.expiresAt.getTime() / 1000 + 1}`);
    expect(verifies(later, publicKey)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifies(signed, other)).toBe(false);
  });

  it('sign with SHA-256 when asked', async () => {
    const sha256 = cloudFrontUrlSigner({ keyPairId: 'K1', privateKey: PEM, algorithm: 'SHA256' });
    const signed = await sha256.sign(subject, terms);
    expect(new URL(signed).searchParams.get('Hash-Algorithm')).toBe('SHA256');
    expect(verifies(signed, publicKey)).toBe(true);
  });
});

describe('CloudFront settings', () => {
  const base = { CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F' };
  const noFile = () => {
    throw new Error('ENOENT');
  };

  it('read the key from a file or from the environment, \\n escapes included', () => {
    const fromFile = loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY_FILE: '/keys/cf.pem' }, (path) =>
      path === '/keys/cf.pem' ? PEM : '',
    );
    expect(fromFile.signing.cloudFront).toEqual({
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: PEM,
      algorithm: 'SHA1',
    });
    const escaped = PEM.replaceAll('\n', '\\n');
    const fromEnv = loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: escaped });
    expect(fromEnv.signing.cloudFront?.privateKey).toBe(PEM);
    expect(loadConfig({}).signing).toEqual({
      s3Presign: false,
      validMs: 21_600_000,
      cloudFront: undefined,
    });
  });

  it('refuse half a key pair, two keys, an unreadable file and a bad key without echoing it', () => {
    expect(() => loadConfig(base)).toThrow(/set both to sign CloudFront URLs, or neither/);
    expect(() => loadConfig({ CLOUDFRONT_PRIVATE_KEY: PEM })).toThrow(/set both/);
    expect(() =>
      loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: PEM, CLOUDFRONT_PRIVATE_KEY_FILE: '/k' }),
    ).toThrow(/set one, not both/);
    expect(() => loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY_FILE: '/k' }, noFile)).toThrow(
      'CLOUDFRONT_PRIVATE_KEY_FILE: cannot read /k',
    );
    const secret = 'not-a-key-but-a-secret';
    expect(() => loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: secret })).toThrow(
      'CLOUDFRONT_PRIVATE_KEY: not a PEM private key',
    );
    expect(() => loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: secret })).not.toThrow(secret);
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: publicPem })).toThrow(
      /not a PEM private key/,
    );
    expect(() =>
      loadConfig({ CLOUDFRONT_KEY_PAIR_ID: 'k/../x', CLOUDFRONT_PRIVATE_KEY: PEM }),
    ).toThrow(/public key id/);
    expect(() =>
      loadConfig({ ...base, CLOUDFRONT_PRIVATE_KEY: PEM, CLOUDFRONT_HASH_ALGORITHM: 'MD5' }),
    ).toThrow(/CLOUDFRONT_HASH_ALGORITHM/);
  });

  it('bound the validity between 1 s and 7 days', () => {
    expect(loadConfig({ SIGNED_URL_VALID_MS: '604800000' }).signing.validMs).toBe(604_800_000);
    expect(() => loadConfig({ SIGNED_URL_VALID_MS: '604800001' })).toThrow(/SIGNED_URL_VALID_MS/);
    expect(() => loadConfig({ SIGNED_URL_VALID_MS: '999' })).toThrow(/SIGNED_URL_VALID_MS/);
    expect(() => loadConfig({ S3_PRESIGNED_URLS: 'maybe' })).toThrow(/S3_PRESIGNED_URLS/);
  });
});
