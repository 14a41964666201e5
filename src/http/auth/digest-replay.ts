/** Why a nonce use was refused: seen before, or no longer provably unseen. */
export type NonceUseVerdict = 'fresh' | 'replayed' | 'forgotten';

// Marks a nonce used in the RFC 2069 form: no later use of it, with or without nc, is fresh.
const SPENT = Number.POSITIVE_INFINITY;

/**
 * Remembers, per nonce, the highest nonce-count seen, in a bounded LRU. With qop the count
 * must increase (RFC 7616 §3.4); without qop (RFC 2069) a nonce is good for one request,
 * which is exactly how Opencast's client uses it (a fresh probe before every POST).
 *
 * When the table overflows, the least recently used entry is dropped; if it had not yet
 * expired, nonces issued up to its time can no longer be proven unused and are refused as
 * `forgotten` (the client then fetches a new nonce) instead of being accepted twice.
 * State is per process: a replay sent to another node of a load-balanced pool is not seen.
 */
export class NonceUseTracker {
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #used = new Map<string, { count: number; issuedAt: number }>();
  #forgottenUpTo = Number.NEGATIVE_INFINITY;

  constructor(capacity: number, ttlMs: number) {
    this.#capacity = capacity;
    this.#ttlMs = ttlMs;
  }

  /** Records a use of `nonce` with `count` (undefined for the RFC 2069 form). */
  use(nonce: string, issuedAt: number, count: number | undefined, now: number): NonceUseVerdict {
    const entry = this.#used.get(nonce);
    if (entry === undefined && issuedAt <= this.#forgottenUpTo) return 'forgotten';
    const next = count ?? SPENT;
    if (entry !== undefined && (count === undefined || next <= entry.count)) return 'replayed';
    this.#used.delete(nonce);
    this.#used.set(nonce, { count: next, issuedAt });
    this.#evict(now);
    return 'fresh';
  }

  /** How many nonces are remembered (for tests and metrics). */
  get size(): number {
    return this.#used.size;
  }

  #evict(now: number): void {
    for (const [nonce, entry] of this.#used) {
      if (this.#used.size <= this.#capacity) return;
      this.#used.delete(nonce);
      // An expired nonce is refused by its age anyway; only a live one needs the floor.
      if (now - entry.issuedAt <= this.#ttlMs) {
        this.#forgottenUpTo = Math.max(this.#forgottenUpTo, entry.issuedAt);
      }
    }
  }
}
