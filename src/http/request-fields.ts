import { z } from 'zod';
import { identifierSchema, isIdentifier, jobIdSchema } from '../contract/command.js';
import { AppError } from '../errors.js';
import type { Form } from './read-form.js';

/** Opencast's header naming the organization of a request (docs/opencast-wire-spec.md §8). */
export const ORGANIZATION_HEADER = 'X-Opencast-Matterhorn-Organization';
/** Opencast's header naming the user a request runs as. */
export const USER_HEADER = 'X-Opencast-Matterhorn-User';
/** Opencast's header naming the job a request is made from (it becomes the parent). */
export const CURRENT_JOB_HEADER = 'X-Opencast-Matterhorn-Current-Job-Id';

/** A required, single, non-blank text field, or INVALID_INPUT naming it. */
export function requiredField(form: Form, name: string): string {
  const value = optionalField(form, name);
  if (value === undefined || value.trim() === '') {
    throw new AppError('INVALID_INPUT', `Form field '${name}' is missing or empty`);
  }
  return value;
}

// A file name or path instead of XML: what `-d mediapackage=mp.xml` or `mediapackage=@mp.xml` send.
const LOOKS_LIKE_FILE_NAME = /^(?:@\S.*|[^\s]*[\\/][^\s]*|\S+\.xml)$/i;

/**
 * A required form field holding XML (the mediapackage). A value that is a file name, or a
 * file upload, gets a hint on sending the file's content instead, since that is the usual
 * mistake with curl; anything else is left to the XML parser's errors.
 */
export function requiredXmlField(form: Form, name: string): string {
  const hint =
    `send the file's content, e.g. curl --data-urlencode ${name}@mediapackage.xml ` +
    `(or -F '${name}=<mediapackage.xml')`;
  if (form[name] instanceof File) {
    throw new AppError('INVALID_INPUT', `Form field '${name}' is a file upload, not text; ${hint}`);
  }
  const value = requiredField(form, name);
  const trimmed = value.trim();
  if (!trimmed.includes('<') && trimmed.length <= 1024 && LOOKS_LIKE_FILE_NAME.test(trimmed)) {
    const shown = JSON.stringify(trimmed.slice(0, 80));
    throw new AppError(
      'INVALID_INPUT',
      `Form field '${name}' is ${shown}, which looks like a file name, not XML; ${hint}`,
    );
  }
  return value;
}

/** A single text field, undefined when absent; INVALID_INPUT when repeated or a file. */
export function optionalField(form: Form, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new AppError('INVALID_INPUT', `Form field '${name}' must be a single text value`);
  }
  return value;
}

const MAX_ELEMENT_IDS = 1000;

// Built once, and only run to word a refusal: valid ids pass validElementIds' plain checks.
const elementIdsSchema = z
  .array(identifierSchema)
  .min(1, 'must name at least one element')
  .max(MAX_ELEMENT_IDS)
  .refine((list) => new Set(list).size === list.length, 'must not repeat an id');

/**
 * The element ids of a request: a JSON array of strings as Opencast's Gson writes it, or one
 * bare id. Each must be a safe identifier; duplicates are refused.
 */
export function parseElementIds(raw: string): string[] {
  const text = raw.trim();
  let ids: unknown;
  if (text.startsWith('[')) {
    try {
      ids = JSON.parse(text);
    } catch (cause) {
      throw new AppError('INVALID_INPUT', `Form field 'elementId' is not a valid JSON array`, {
        cause,
      });
    }
  } else {
    ids = [text];
  }
  if (validElementIds(ids)) return ids;
  const result = elementIdsSchema.safeParse(ids);
  if (!result.success) {
    throw new AppError(
      'INVALID_INPUT',
      `Form field 'elementId' ${z.prettifyError(result.error).replace(/\n/g, '; ')}`,
    );
  }
  return result.data;
}

/** What {@link elementIdsSchema} accepts, without zod's per-call cost. */
function validElementIds(ids: unknown): ids is string[] {
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_ELEMENT_IDS) return false;
  if (!ids.every(isIdentifier)) return false;
  return ids.length === 1 || new Set(ids).size === ids.length;
}

/** A validated identifier field (channelId, organization). */
export function parseIdentifier(value: string, what: string): string {
  if (isIdentifier(value)) return value;
  const result = identifierSchema.safeParse(value);
  if (!result.success) {
    throw new AppError(
      'INVALID_INPUT',
      `${what} '${value.slice(0, 80)}' ${result.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return result.data;
}

/** `checkAvailability`: absent means true (Opencast's default); otherwise true or false. */
export function parseCheckAvailability(value: string | undefined): boolean {
  if (value === undefined || value === '') return true;
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  throw new AppError('INVALID_INPUT', `Form field 'checkAvailability' must be true or false`);
}

/** The parent job from Opencast's current-job header, when it is a valid job id. */
export function parseParentJobId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const result = jobIdSchema.safeParse(value.trim());
  if (!result.success) {
    throw new AppError('INVALID_INPUT', `Header ${CURRENT_JOB_HEADER} must be a job id`);
  }
  return result.data;
}
