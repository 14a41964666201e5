/** Form bodies as JAX-RS reads them: ordered fields, repeated names kept (`arg`). */

/** Reads the body as form fields; Hono caches the text, so the call log and handler share it. */
export async function readForm(req: { text(): Promise<string> }): Promise<URLSearchParams> {
  return new URLSearchParams(await req.text());
}
