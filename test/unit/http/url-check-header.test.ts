import { describe, expect, it } from 'vitest';
import { urlCheckHeader } from '../../../src/http/url-check-header.js';
import type { JobUrlCheck } from '../../../src/opencast/model.js';

const check = (result: JobUrlCheck['result'], detail: string, url = 'http://cdn/a.mp4') => ({
  elementId: 'a',
  url,
  result,
  detail,
});

describe('urlCheckHeader', () => {
  it('is absent when no check ran', () => {
    expect(urlCheckHeader(undefined)).toBeUndefined();
    expect(urlCheckHeader([])).toBeUndefined();
  });

  it('says available when every URL answered 200', () => {
    expect(urlCheckHeader([check('available', 'HTTP 200'), check('available', 'HTTP 200')])).toBe(
      'available',
    );
  });

  it('names the worst result, how many URLs it concerns and the first one', () => {
    const checks = [
      check('available', 'HTTP 200'),
      check('unavailable', 'HTTP 404', 'http://cdn/b.mp4'),
      check('unreachable', 'ECONNREFUSED', 'http://cdn/c.mp4'),
    ];
    expect(urlCheckHeader(checks)).toBe(
      'unreachable; count=1/3; url="http://cdn/c.mp4"; detail="ECONNREFUSED"',
    );
  });

  it('keeps hostile text out of the header: no quotes, line breaks or non-ASCII, bounded', () => {
    const value = urlCheckHeader([
      check('unavailable', `x"\r\nSet-Cookie: a=b\\é${'y'.repeat(999)}`),
    ]);
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(value).toContain('detail="x???Set-Cookie: a=b??');
    expect(value?.length).toBeLessThan(700);
  });
});
