/** Scripted failures for fault tests: the next N calls of a route fail or hang. */
import { createMiddleware } from 'hono/factory';

/** `{ status }` answers that status; `'hang'` holds the request until released or closed. */
export type Fault = { status: 500 | 503 } | 'hang';

/** Route key: `METHOD /path` with job ids written `{id}`, e.g. `PUT /services/job/{id}.xml`. */
export const routeKey = (method: string, path: string): string =>
  `${method} ${path.replace(/\/job\/\d+\.xml$/, '/job/{id}.xml')}`;

/** The queue of pending faults per route and the requests held by `'hang'`. */
export class Faults {
  private readonly pending = new Map<string, Fault[]>();
  private readonly held = new Set<() => void>();

  /** Makes the next `count` calls of `route` (see {@link routeKey}) suffer `fault`. */
  failNext(route: string, count: number, fault: Fault): void {
    const queue = this.pending.get(route) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.pending.set(route, queue);
  }

  /** How many requests are being held by `'hang'` right now. */
  get hanging(): number {
    return this.held.size;
  }

  /** Lets every hanging request go on (answering 503). */
  releaseHangs(): void {
    for (const release of this.held) release();
    this.held.clear();
  }

  /** Middleware applying the faults; mount it after authentication. */
  middleware() {
    return createMiddleware(async (c, next) => {
      const fault = this.pending.get(routeKey(c.req.method, c.req.path))?.shift();
      if (fault === undefined) {
        await next();
        return undefined;
      }
      if (fault === 'hang') {
        await new Promise<void>((resolve) => this.held.add(resolve));
        return c.text('released', 503);
      }
      return c.text('injected fault', fault.status);
    });
  }
}
