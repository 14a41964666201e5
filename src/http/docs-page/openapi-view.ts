/**
 * What the docs page needs from an OpenAPI 3.1 document: its operations with their
 * parameters, form fields and answers, `$ref`s followed. Reads only the parts this project's
 * `docs/openapi.json` uses; anything else is left out of the page rather than guessed at.
 */

/** A parsed JSON value's object form. */
export type Json = Record<string, unknown>;

/** Where a field of a testing form goes in the request. */
export type FieldPlace = 'path' | 'query' | 'header' | 'form';

/** A parameter or a form field. */
export interface FieldView {
  readonly name: string;
  readonly in: FieldPlace;
  readonly required: boolean;
  readonly description: string;
  /** The field's schema, `$ref` kept so the page can link to the named schema. */
  readonly schema: Json;
  /** Prefilled value: the field's own `default`, else its first example, else empty. */
  readonly initial: string;
  /** Several lines (a `contentMediaType` such as XML): a text area instead of a line. */
  readonly multiline: boolean;
}

/** One documented answer. */
export interface AnswerView {
  readonly status: string;
  readonly description: string;
  /** Media type to the schema's `$ref` name, or undefined for an inline schema. */
  readonly content: readonly { mediaType: string; schemaName: string | undefined }[];
}

/** One operation (method and path) of the document. */
export interface OperationView {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly summary: string;
  readonly description: string;
  /** False when the operation sets `security: []` or allows an empty requirement. */
  readonly authenticated: boolean;
  readonly fields: readonly FieldView[];
  readonly answers: readonly AnswerView[];
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The value at a local reference (`#/components/schemas/X`), or undefined. */
function resolve(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Follows `$ref`s to an object; an empty object when a reference does not resolve. */
function deref(doc: Json, node: unknown): Json {
  let current = node;
  for (let hops = 0; hops < 10 && isObject(current) && typeof current.$ref === 'string'; hops++) {
    current = resolve(doc, current.$ref);
  }
  return isObject(current) && typeof current.$ref !== 'string' ? current : {};
}

/** `Identifier` for `#/components/schemas/Identifier`; undefined for anything else. */
export function schemaName(schema: unknown): string | undefined {
  if (!isObject(schema) || typeof schema.$ref !== 'string') return undefined;
  return /^#\/components\/schemas\/([^/]+)$/.exec(schema.$ref)?.[1];
}

/**
 * The value a testing form starts with: the field's own `default`, else its first example.
 * Not those of a schema it refers to: a shared schema's example (a job id) would otherwise
 * be sent as an optional header nobody asked for.
 */
function initialValue(schema: Json): string {
  const examples: unknown[] = Array.isArray(schema.examples) ? schema.examples : [];
  const value = schema.default ?? examples[0];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function field(
  doc: Json,
  name: string,
  place: FieldPlace,
  required: boolean,
  raw: Json,
): FieldView {
  const schema = isObject(raw.schema) ? raw.schema : {};
  return {
    name,
    in: place,
    required,
    description: text(raw.description) || text(deref(doc, schema).description),
    schema,
    initial: initialValue(schema),
    multiline: typeof deref(doc, schema).contentMediaType === 'string',
  };
}

function parameters(doc: Json, raw: unknown): FieldView[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((p) => deref(doc, p))
    .flatMap((p) => {
      const place = p.in;
      if (place !== 'path' && place !== 'query' && place !== 'header') return [];
      return [field(doc, text(p.name), place, p.required === true, p)];
    });
}

function formFields(doc: Json, requestBody: unknown): FieldView[] {
  const content = deref(doc, requestBody).content;
  if (!isObject(content)) return [];
  const type = FORM_TYPES.find((t) => isObject(content[t]));
  if (type === undefined) return [];
  const schema = deref(doc, (content[type] as Json).schema);
  const required = Array.isArray(schema.required) ? schema.required : [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  return Object.entries(properties).map(([name, property]) => {
    const own = isObject(property) ? property : {};
    return field(doc, name, 'form', required.includes(name), { ...own, schema: own });
  });
}

function answers(doc: Json, responses: unknown): AnswerView[] {
  if (!isObject(responses)) return [];
  return Object.entries(responses).map(([status, raw]) => {
    const response = deref(doc, raw);
    const content = isObject(response.content) ? response.content : {};
    return {
      status,
      description: text(response.description),
      content: Object.entries(content).map(([mediaType, media]) => ({
        mediaType,
        schemaName: schemaName(isObject(media) ? media.schema : undefined),
      })),
    };
  });
}

function authenticated(doc: Json, operation: Json): boolean {
  const security = Array.isArray(operation.security) ? operation.security : doc.security;
  if (!Array.isArray(security) || security.length === 0) return false;
  return !security.some(
    (requirement) => isObject(requirement) && Object.keys(requirement).length === 0,
  );
}

/** Every operation of the document, in its order (paths, then methods). */
export function operationsOf(doc: Json): OperationView[] {
  const paths = isObject(doc.paths) ? doc.paths : {};
  return Object.entries(paths).flatMap(([path, rawItem]) => {
    const item = deref(doc, rawItem);
    const shared = parameters(doc, item.parameters);
    return METHODS.filter((m) => isObject(item[m])).map((method): OperationView => {
      const operation = item[method] as Json;
      return {
        id: text(operation.operationId) || `${method}-${path}`,
        method: method.toUpperCase(),
        path,
        summary: text(operation.summary),
        description: text(operation.description),
        authenticated: authenticated(doc, operation),
        fields: [
          ...shared,
          ...parameters(doc, operation.parameters),
          ...formFields(doc, operation.requestBody),
        ],
        answers: answers(doc, operation.responses),
      };
    });
  });
}
