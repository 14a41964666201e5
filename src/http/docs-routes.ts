import { readFileSync } from 'node:fs';
import { Hono } from 'hono';

/**
 * The API documents: OpenAPI for this HTTP API, AsyncAPI for the commands, replies and events.
 * They live in the repository's `docs/` folder (two levels up from both `src/http/` and
 * `dist/http/`; the image copies them) and are checked against the code by
 * `test/unit/http/api-documents.test.ts`.
 */
export const API_DOCUMENTS = ['openapi.json', 'asyncapi.json'] as const;

const DOCS_FOLDER = new URL('../../docs/', import.meta.url);
let loaded: ReadonlyMap<string, string> | undefined;

/** The documents' text, read and checked once per process; throws when one is missing. */
function documents(): ReadonlyMap<string, string> {
  if (loaded === undefined) {
    const entries = API_DOCUMENTS.map((name): [string, string] => {
      const text = readFileSync(new URL(name, DOCS_FOLDER), 'utf8');
      // A broken document is a packaging fault: fail at start, not when somebody asks.
      JSON.parse(text);
      return [name, text];
    });
    loaded = new Map(entries);
  }
  return loaded;
}

/** One document's text as kept in `docs/` (parsed once at start, so it is valid JSON). */
export function apiDocument(name: (typeof API_DOCUMENTS)[number]): string {
  const text = documents().get(name);
  if (text === undefined) throw new Error(`docs/${name} is not loaded`);
  return text;
}

/**
 * `GET /docs/openapi.json` and `GET /docs/asyncapi.json`. Public: they describe the
 * interfaces, never data.
 */
export function docsRoutes(): Hono {
  const docs = documents();
  const app = new Hono();
  for (const [name, text] of docs) {
    app.get(`/${name}`, (c) =>
      c.body(text, 200, {
        'Content-Type': 'application/json; charset=UTF-8',
        'Cache-Control': 'public, max-age=300',
      }),
    );
  }
  return app;
}
