import { describe, expect, it } from 'vitest';
import {
  assertBucketName,
  assertFolderPrefix,
  assertObjectKey,
} from '../../../src/storage/object-key.js';

const invalidKey: { code: string } = expect.objectContaining({ code: 'INVALID_KEY' }) as {
  code: string;
};

describe('assertFolderPrefix', () => {
  it.each(['a/', 'org/channel/mp-1/', 'a/b/', 'ü n i/'])('accepts the folder %j', (prefix) => {
    expect(() => {
      assertFolderPrefix(prefix);
    }).not.toThrow();
  });

  it.each(['', 'a/b', 'a', 'a/b/c.mp4', `${'x'.repeat(1024)}/`, 'a\u0000/', 'a\n/'])(
    'refuses %j',
    (prefix) => {
      expect(() => {
        assertFolderPrefix(prefix);
      }).toThrow(invalidKey);
    },
  );
});

describe('assertObjectKey', () => {
  it('accepts keys as Opencast builds them, including literal escapes and queries', () => {
    for (const key of [
      'org/ch/mp/el/a.mp4',
      'org/ch/mp/el/a%20b.mp4',
      'o/c/m/e/a.mp4?x=1',
      'ключ/файл',
    ]) {
      expect(() => {
        assertObjectKey(key);
      }).not.toThrow();
    }
  });

  it('measures the limit in UTF-8 bytes', () => {
    expect(() => {
      assertObjectKey('é'.repeat(512));
    }).not.toThrow();
    expect(() => {
      assertObjectKey('é'.repeat(513));
    }).toThrow(invalidKey);
  });

  it.each(['', 'a\u0000b', 'a\u001fb', 'a\u007fb', 'a\rb'])('refuses %j', (key) => {
    expect(() => {
      assertObjectKey(key);
    }).toThrow(invalidKey);
  });
});

describe('assertBucketName', () => {
  it('accepts ordinary and legacy names', () => {
    for (const name of ['abc', 'my-bucket.example', 'Legacy_Bucket']) {
      expect(() => {
        assertBucketName(name);
      }).not.toThrow();
    }
  });

  it.each(['', 'ab', 'a/b-c', 'a b c', 'x'.repeat(256), 'abc\u0000'])('refuses %j', (name) => {
    expect(() => {
      assertBucketName(name);
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
