import { describe, expect, it } from 'vitest';
import {
  distributionUrl,
  elementFolder,
  fileNameFromUrl,
  keyFromDistributedUrl,
  objectKey,
} from '../../../src/distribution/object-key.js';
import { codeOf } from '../../helpers/app-error.js';

const mp = 'efd6e4df-63b6-49af-be5f-15f598778877';
const context = {
  organization: 'mh_default_org',
  channelId: 'channelId',
  mediaPackageId: mp,
  elementId: 'presenter-delivery',
};
const base = 'http://XYZ.cloudfront.net/';

describe('objectKey and distributionUrl (Opencast testBuildObjectName / testGetDistributionUri)', () => {
  it('builds org/channel/mp/element/file', () => {
    expect(objectKey(context, 'video-presenter-delivery.mp4')).toBe(
      `mh_default_org/channelId/${mp}/presenter-delivery/video-presenter-delivery.mp4`,
    );
  });

  it('appends the base with exactly one slash', () => {
    const key = objectKey(context, 'http://host/files/x/video-presenter-delivery.mp4');
    const expected = `http://XYZ.cloudfront.net/mh_default_org/channelId/${mp}/presenter-delivery/video-presenter-delivery.mp4`;
    expect(distributionUrl(base, key)).toBe(expected);
    expect(distributionUrl('http://XYZ.cloudfront.net', key)).toBe(expected);
  });

  it('reverses a distributed URL into its key (testGetDistributedObjectName)', () => {
    const url = `${base}mh_default_org/channelId/${mp}/presenter-delivery/video-presenter-delivery.mp4`;
    expect(keyFromDistributedUrl(base, url)).toBe(
      `mh_default_org/channelId/${mp}/presenter-delivery/video-presenter-delivery.mp4`,
    );
    expect(keyFromDistributedUrl(base, 'http://other.example/x/y.mp4')).toBeUndefined();
    expect(keyFromDistributedUrl(base, base)).toBeUndefined();
    expect(keyFromDistributedUrl(base, `${base}a/../b.mp4`)).toBeUndefined();
    expect(keyFromDistributedUrl(base, `${base}a/%2e%2e/b.mp4`)).toBeUndefined();
    expect(keyFromDistributedUrl(base, `${base}a/%zz/b.mp4`)).toBeUndefined();
  });

  it('keeps the element folder a prefix of every key', () => {
    expect(objectKey(context, 'a.mp4').startsWith(elementFolder(context))).toBe(true);
  });
});

describe('fileNameFromUrl', () => {
  it.each([
    ['http://h/files/mediapackage/m/e/presenter.mp4', 'presenter.mp4'],
    ['presenter-mp4/video-presenter-delivery.mp4', 'video-presenter-delivery.mp4'],
    ['C:\\media\\x.mp4', 'x.mp4'],
    ['http://h/a/b.mp4?token=1&x=2', 'b.mp4'],
    ['http://h/a/b.mp4#t=10', 'b.mp4'],
    ['http://h/a/my%20file.mp4', 'my file.mp4'],
    ['http://h/a/caf%C3%A9.vtt', 'café.vtt'],
  ])('%s -> %s', (url, name) => {
    expect(fileNameFromUrl(url)).toBe(name);
  });

  it.each([
    ['http://h/a/', 'trailing slash'],
    ['http://h/a/..', 'dot-dot'],
    ['http://h/a/.', 'dot'],
    ['http://h/a/%2e%2e', 'encoded dot-dot'],
    ['http://h/a/..%2F..%2Fetc%2Fpasswd', 'encoded slash'],
    ['http://h/a/x%5Cy', 'encoded backslash'],
    ['http://h/a/x%00.mp4', 'NUL'],
    ['http://h/a/x%0A.mp4', 'newline'],
    ['http://h/a/%E0%A4%A', 'malformed escape'],
    ['', 'empty'],
  ])('refuses %s (%s)', (url) => {
    expect(codeOf(() => fileNameFromUrl(url))).toBe('INVALID_KEY');
  });

  it('percent-encodes what it decoded so the URL reaches the key', () => {
    const key = objectKey(context, 'http://h/a/my%20file%23.mp4');
    expect(key.endsWith('/my file#.mp4')).toBe(true);
    const url = distributionUrl(base, key);
    expect(url.endsWith('/my%20file%23.mp4')).toBe(true);
    expect(keyFromDistributedUrl(base, url)).toBe(key);
  });
});

describe('unsafe identifiers never make a key', () => {
  it.each([
    ['organization', '..'],
    ['organization', ''],
    ['channelId', 'a/b'],
    ['channelId', '.'],
    ['mediaPackageId', '../../other'],
    ['elementId', 'x\ny'],
    ['elementId', 'a b'],
    ['elementId', 'x'.repeat(256)],
    ['elementId', 'é'],
  ])('%s = %j', (field, value) => {
    expect(codeOf(() => objectKey({ ...context, [field]: value }, 'a.mp4'))).toBe('INVALID_KEY');
  });

  it('refuses keys over 1024 bytes', () => {
    expect(codeOf(() => objectKey(context, `http://h/${'ü'.repeat(600)}.mp4`))).toBe('INVALID_KEY');
  });
});
