import { Hono } from 'hono';

/** The outcome of the readiness checks, one line per dependency. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, string>;
}

/** `/health`: the process answers. `/ready`: its broker and object store answer too. */
export function healthRoutes(readiness: () => Promise<Readiness>): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const result = await readiness();
    return c.json(result, result.ready ? 200 : 503);
  });
  return app;
}
