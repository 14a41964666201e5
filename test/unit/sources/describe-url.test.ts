import { describe, expect, it } from 'vitest';
import { describeUrl } from '../../../src/sources/describe-url.js';

describe('describeUrl', () => {
  it('drops user info, query and fragment, which may hold secrets', () => {
    expect(describeUrl('https://user:secret@a.example/x?X-Amz-Signature=s#f')).toBe(
      '"https://a.example/x"',
    );
  });

  it('quotes control characters so they cannot forge log lines', () => {
    expect(describeUrl('not a url\n{"level":60}')).toBe('"not a url\\n{\\"level\\":60}"');
  });

  it('truncates long input', () => {
    const shown = describeUrl(`x${'a'.repeat(10_000)}`);
    expect(shown.length).toBeLessThan(210);
    expect(shown.endsWith('…"')).toBe(true);
  });
});
