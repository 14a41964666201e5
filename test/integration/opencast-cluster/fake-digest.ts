import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseWwwAuthenticate } from '../../../src/digest/challenges.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/**
 * The server side of Digest for the fake registry, like Spring Security's entry point:
 * realm `Opencast`, nonces that stay valid until expired on purpose, with or without qop.
 */
export class FakeDigest {
  private readonly valid = new Set<string>();
  private readonly expired = new Set<string>();

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly qop: boolean,
  ) {}

  /** The `WWW-Authenticate` value of a new challenge; `stale` after an expired nonce. */
  challenge(stale: boolean): string {
    const nonce = randomBytes(8).toString('hex');
    this.valid.add(nonce);
    const qop = this.qop ? ', qop="auth"' : '';
    return `Digest realm="Opencast", nonce="${nonce}"${qop}${stale ? ', stale=true' : ''}`;
  }

  /** Makes every nonce issued so far stale. */
  expireAll(): void {
    for (const nonce of this.valid) this.expired.add(nonce);
    this.valid.clear();
  }

  /** 'ok', 'stale' (right password, old nonce) or 'denied'. */
  check(req: IncomingMessage): 'ok' | 'stale' | 'denied' {
    const [answer] = parseWwwAuthenticate(req.headers.authorization ?? '');
    if (answer?.scheme !== 'digest') return 'denied';
    const p = (name: string): string => answer.params.get(name) ?? '';
    if (p('username') !== this.username || p('uri') !== req.url) return 'denied';
    const ha1 = md5(`${this.username}:Opencast:${this.password}`);
    const ha2 = md5(`${req.method ?? ''}:${p('uri')}`);
    const expected =
      p('qop') === 'auth'
        ? md5(`${ha1}:${p('nonce')}:${p('nc')}:${p('cnonce')}:auth:${ha2}`)
        : md5(`${ha1}:${p('nonce')}:${ha2}`);
    if (p('response') !== expected) return 'denied';
    if (this.valid.has(p('nonce'))) return 'ok';
    return this.expired.has(p('nonce')) ? 'stale' : 'denied';
  }
}
