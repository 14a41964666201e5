import { describe, expect, it } from 'vitest';
import { distributionUrl } from '../../../src/distribution/object-key.js';
import {
  MAX_SIGNED_URL_LENGTH,
  signPublishedUrls,
  signedUrlValidity,
  signingSubject,
  signingTerms,
  type SigningSubject,
  type SigningTerms,
  type UrlSigner,
} from '../../../src/distribution/signed-urls.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { AppError } from '../../../src/errors.js';

const BASE = 'https://cdn.example.org/media/';
const target = { bucket: 'oc-dist', baseUrl: BASE };
const ORG = 'mh_default_org';
const KEY = `${ORG}/engage-player/mp-1/track-1/video.mp4`;
const URL_OK = `${BASE}${KEY}`;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_INPUT');
    return (error as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('signingSubject: which URLs may be signed', () => {
  it('maps a published URL to its bucket and key', () => {
    expect(signingSubject(target, ORG, URL_OK)).toEqual({
      bucket: 'oc-dist',
      key: KEY,
      url: URL_OK,
    });
  });

  it('maps a file name that needed escaping, spelled as distribute spells it', () => {
    const key = `${ORG}/engage-player/mp-1/track-1/my video (1).mp4`;
    const url = distributionUrl(BASE, key);
    expect(url).toContain('my%20video%20%281%29.mp4');
    expect(signingSubject(target, ORG, url).key).toBe(key);
  });

  it.each([
    ['another host', `https://evil.example.org/media/${KEY}`],
    ['another path on our host', `https://cdn.example.org/other/${KEY}`],
    ['a prefix look-alike', `https://cdn.example.org/media-private/${KEY}`],
    ['a host look-alike', `https://cdn.example.org.evil.net/media/${KEY}`],
    ['userinfo before our host', `https://cdn.example.org@evil.net/media/${KEY}`],
    ['the base itself', BASE],
    ['http instead of https', URL_OK.replace('https:', 'http:')],
  ])('refuses a URL outside the base: %s', (_name, url) => {
    expect(refusal(() => signingSubject(target, ORG, url))).toMatch(/not a published file/);
  });

  it.each([
    ['dot-dot', `${BASE}${ORG}/../other_org/x/mp/el/f.mp4`],
    ['encoded dot-dot', `${BASE}${ORG}/engage-player/%2e%2e/mp-1/track-1/video.mp4`],
    ['encoded slash', `${BASE}${ORG}/engage-player/mp-1/track-1%2F..%2Fx/video.mp4`],
    ['empty segment', `${BASE}${ORG}//engage-player/mp-1/track-1/video.mp4`],
  ])('refuses path traversal: %s', (_name, url) => {
    expect(() => signingSubject(target, ORG, url)).toThrow(AppError);
  });

  it('refuses another organization’s file, and keys of another shape', () => {
    expect(refusal(() => signingSubject(target, 'tenant2', URL_OK))).toMatch(
      /not a file of organization tenant2/,
    );
    // A pre-Opencast-10 key has no organization segment.
    expect(() => signingSubject(target, ORG, `${BASE}engage-player/mp-1/track-1/v.mp4`)).toThrow(
      AppError,
    );
    expect(() => signingSubject(target, ORG, `${URL_OK}/extra`)).toThrow(AppError);
  });

  it('refuses unsafe ids and other spellings of a published URL', () => {
    expect(refusal(() => signingSubject(target, ORG, `${BASE}${ORG}/a b/mp/el/f.mp4`))).toMatch(
      /not a safe identifier/,
    );
    for (const url of [
      `${URL_OK}?X-Amz-Signature=abc`,
      `${URL_OK}#t=10`,
      `${BASE}${ORG}/engage-player/mp-1/track-1/vide%6F.mp4`,
      `${BASE}${ORG}\\engage-player\\mp-1\\track-1\\video.mp4`,
    ]) {
      expect(() => signingSubject(target, ORG, url), url).toThrow(AppError);
    }
  });

  it('refuses malformed and oversized URLs without echoing them whole', () => {
    for (const url of ['', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd', '%zz']) {
      expect(() => signingSubject(target, ORG, url), url).toThrow(AppError);
    }
    expect(() => signingSubject(target, ORG, `${BASE}${ORG}/a/b/c/%E0%A4%A.mp4`)).toThrow(AppError);
    const huge = `${URL_OK}${'a'.repeat(MAX_SIGNED_URL_LENGTH)}`;
    const message = refusal(() => signingSubject(target, ORG, huge));
    expect(message).toMatch(/longer than 8192 characters/);
    expect(message.length).toBeLessThan(300);
  });
});

describe('signedUrlValidity: bounds', () => {
  const max = 6 * 3_600_000;
  it('defaults to the configured validity and accepts 1 s up to it', () => {
    expect(signedUrlValidity(undefined, max)).toBe(max);
    expect(signedUrlValidity('1', max)).toBe(1000);
    expect(signedUrlValidity('21600', max)).toBe(max);
  });

  it.each(['0', '21601', '-5', '1.5', '1e3', ' 60', '', 'abc', '9'.repeat(400)])(
    'refuses %j',
    (value) => {
      expect(refusal(() => signedUrlValidity(value, max))).toMatch(/from 1 to 21600/);
    },
  );
});

describe('signingTerms', () => {
  it('starts on a whole second and lasts whole seconds, at least one', () => {
    const terms = signingTerms(new Date('2026-12-05T12:00:00.750Z'), 90_500, 'HEAD');
    expect(terms.signedAt.toISOString()).toBe('2026-12-05T12:00:00.000Z');
    expect(terms.expiresAt.toISOString()).toBe('2026-12-05T12:01:30.000Z');
    expect(terms.method).toBe('HEAD');
    const short = signingTerms(new Date('2026-12-05T12:00:00Z'), 10, 'GET');
    expect(short.expiresAt.getTime() - short.signedAt.getTime()).toBe(1000);
  });
});

describe('signPublishedUrls', () => {
  const signed: [SigningSubject, SigningTerms][] = [];
  const signer: UrlSigner = {
    sign: (subject, terms) => {
      signed.push([subject, terms]);
      return Promise.resolve(`${subject.url}?sig=1`);
    },
  };
  const deps = {
    targets: createTargetResolver(new Map([['tenant2', { bucket: 't2', baseUrl: BASE }]]), target),
    signer,
    clock: () => new Date('2026-12-05T12:00:00Z'),
    maxValidMs: 3_600_000,
  };

  it('signs each URL with its expiry', async () => {
    signed.length = 0;
    const result = await signPublishedUrls(deps, {
      organization: ORG,
      urls: [URL_OK],
      validSeconds: '60',
    });
    expect(result).toEqual([
      { url: URL_OK, signedUrl: `${URL_OK}?sig=1`, expiresAt: '2026-12-05T12:01:00.000Z' },
    ]);
    expect(signed[0]?.[0]).toEqual({ bucket: 'oc-dist', key: KEY, url: URL_OK });
  });

  it('uses the organization’s own bucket', async () => {
    signed.length = 0;
    const url = `${BASE}tenant2/engage-player/mp-1/track-1/video.mp4`;
    await signPublishedUrls(deps, { organization: 'tenant2', urls: [url] });
    expect(signed[0]?.[0].bucket).toBe('t2');
  });

  it('signs none when one URL of a batch is foreign, and refuses empty or huge batches', async () => {
    signed.length = 0;
    await expect(
      signPublishedUrls(deps, {
        organization: ORG,
        urls: [URL_OK, 'https://evil.example.org/x'],
      }),
    ).rejects.toThrow(/evil\.example\.org/);
    expect(signed).toHaveLength(0);
    await expect(signPublishedUrls(deps, { organization: ORG, urls: [] })).rejects.toThrow(
      /1 to 100 URLs/,
    );
    await expect(
      signPublishedUrls(deps, { organization: ORG, urls: Array<string>(101).fill(URL_OK) }),
    ).rejects.toThrow(/not 101/);
    expect(signed).toHaveLength(0);
  });

  it('refuses an organization without a bucket', async () => {
    const none = { ...deps, targets: createTargetResolver(new Map(), undefined) };
    await expect(signPublishedUrls(none, { organization: ORG, urls: [URL_OK] })).rejects.toThrow(
      /No bucket configured/,
    );
  });
});
