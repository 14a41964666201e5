import { describe, expect, it } from 'vitest';
import {
  createS3SourceResolver,
  parseS3SourceRule,
  type S3SourceRule,
} from '../../../src/sources/s3-source.js';

const rules: S3SourceRule[] = [
  parseS3SourceRule('media'),
  parseS3SourceRule('ingest/incoming/=https://cdn.example.org/in/'),
];
const resolver = createS3SourceResolver(rules, 'http://127.0.0.1:9000');

describe('parseS3SourceRule', () => {
  it('reads bucket, key prefix and URL prefix', () => {
    expect(parseS3SourceRule('media')).toEqual({
      bucket: 'media',
      keyPrefix: '',
      urlPrefix: undefined,
    });
    expect(parseS3SourceRule('media/a/b//=https://x.example/m/')).toEqual({
      bucket: 'media',
      keyPrefix: 'a/b/',
      urlPrefix: 'https://x.example/m/',
    });
  });

  it.each([
    ['an invalid bucket', 'Media'],
    ['an IP address', '10.0.0.1'],
    ['two dots', 'a..b'],
    ['a dot segment in the prefix', 'media/../x'],
    ['an empty segment in the prefix', 'media/a//b'],
    ['a URL prefix that is not http(s)', 'media=ftp://x/'],
    ['a URL prefix with a query', 'media=https://x/?a=1'],
    ['nothing', ''],
  ])('refuses %s', (_name, entry) => {
    expect(() => parseS3SourceRule(entry)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('S3 source resolver', () => {
  it('resolves s3 URLs of allowed buckets, decoding escapes once', () => {
    expect(resolver.resolve('s3://media/a/b%20c.mp4')).toEqual({
      kind: 'object',
      object: { bucket: 'media', key: 'a/b c.mp4' },
    });
    expect(resolver.resolve('S3://ingest/incoming/x.mp4')).toMatchObject({ kind: 'object' });
  });

  it('resolves URLs under a bucket URL and path style under the endpoint', () => {
    expect(resolver.resolve('https://cdn.example.org/in/incoming/v.mp4')).toEqual({
      kind: 'object',
      object: { bucket: 'ingest', key: 'incoming/v.mp4' },
    });
    expect(resolver.resolve('http://127.0.0.1:9000/media/v.mp4')).toEqual({
      kind: 'object',
      object: { bucket: 'media', key: 'v.mp4' },
    });
  });

  it('leaves other http URLs to the allow-list', () => {
    expect(resolver.resolve('http://127.0.0.1:9000/other/v.mp4')).toBeUndefined();
    expect(resolver.resolve('https://example.org/files/v.mp4')).toBeUndefined();
    expect(resolver.resolve('file:///srv/v.mp4')).toBeUndefined();
  });

  it.each([
    ['another bucket', 's3://secrets/key'],
    ['a key outside the prefix', 's3://ingest/other/x.mp4'],
    ['a prefix lookalike', 's3://ingest/incoming-evil/x.mp4'],
    ['a dot-dot segment', 's3://ingest/incoming/../other/x.mp4'],
    ['an encoded dot-dot segment', 's3://media/a/%2e%2e/x'],
    ['an encoded slash', 's3://media/a%2Fb'],
    ['an empty segment', 's3://media/a//b'],
    ['no key', 's3://media/'],
    ['no slash', 's3://media'],
    ['a malformed escape', 's3://media/%zz'],
    ['a control character', 's3://media/a%0Ab'],
    ['a space', 's3://media/a b'],
    ['a query', 's3://media/a?versionId=1'],
    ['user info in the bucket', 's3://user@media/a'],
    ['a port', 's3://media:9000/a'],
    ['an invalid bucket', 's3://Media/a'],
    ['a key over 1024 bytes', `s3://media/${'a'.repeat(1025)}`],
    ['a URL far too long', `s3://media/${'a/'.repeat(5000)}`],
    ['a query on a bucket URL', 'https://cdn.example.org/in/incoming/v.mp4?x=1'],
    ['user info on an endpoint URL', 'http://u:p@127.0.0.1:9000/media/v.mp4'],
    ['traversal out of a bucket URL', 'https://cdn.example.org/in/incoming/%2e%2e/other/v.mp4'],
  ])('refuses %s', (_name, url) => {
    expect(resolver.resolve(url)).toMatchObject({ kind: 'refused' });
  });

  it('refuses every s3 URL when no bucket is allowed', () => {
    const none = createS3SourceResolver([], undefined);
    expect(none.resolve('s3://media/a')).toMatchObject({ kind: 'refused' });
    expect(none.resolve('http://127.0.0.1:9000/media/a')).toBeUndefined();
  });
});
