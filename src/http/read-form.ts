import type { Context } from 'hono';
import { AppError } from '../errors.js';

/** The parsed form body (urlencoded or multipart), or INVALID_INPUT saying why not. */
export async function readForm(
  c: Context,
): Promise<Record<string, string | File | (string | File)[]>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    throw new AppError(
      'INVALID_INPUT',
      'Expected a form body (application/x-www-form-urlencoded or multipart/form-data)',
    );
  }
  try {
    return await c.req.parseBody({ all: true });
  } catch (cause) {
    throw new AppError('INVALID_INPUT', 'The form body could not be read', { cause });
  }
}
