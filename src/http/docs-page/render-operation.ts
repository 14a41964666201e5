import { escapeHtml, prose, slug } from './html.js';
import { schemaName, type FieldView, type Json, type OperationView } from './openapi-view.js';
import { PLACE, testingForm } from './render-form.js';

/** A link to a named schema. */
function schemaLink(name: string): string {
  return `<a href="#schema-${slug(name)}">${escapeHtml(name)}</a>`;
}

// The constraints worth a glance in the table; the rest is in the description.
const SHOWN_KEYWORDS = ['contentMediaType', 'pattern', 'minLength', 'maxLength', 'enum', 'default'];

/** A link to a named schema, or the inline schema's type and main constraints. */
function schemaCell(schema: Json): string {
  const name = schemaName(schema);
  if (name !== undefined) return schemaLink(name);
  const own = schema;
  const parts = [typeof own.type === 'string' ? escapeHtml(own.type) : 'any'];
  for (const keyword of SHOWN_KEYWORDS) {
    const value = own[keyword];
    if (value !== undefined) {
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      parts.push(`${keyword} <code>${escapeHtml(shown)}</code>`);
    }
  }
  return parts.join(', ');
}

function fieldsTable(fields: readonly FieldView[]): string {
  if (fields.length === 0) return '<p>None.</p>';
  const rows = fields.map(
    (f) =>
      `<tr><td><code>${escapeHtml(f.name)}</code></td><td>${PLACE[f.in]}</td>` +
      `<td>${f.required ? 'yes' : 'no'}</td><td>${prose(f.description)}</td>` +
      `<td>${schemaCell(f.schema)}</td></tr>`,
  );
  return (
    '<table><thead><tr><th scope="col">Name</th><th scope="col">In</th>' +
    '<th scope="col">Required</th><th scope="col">Description</th><th scope="col">Schema</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function answersTable(operation: OperationView): string {
  const rows = operation.answers.map((a) => {
    const bodies = a.content.map(
      (c) =>
        `<code>${escapeHtml(c.mediaType)}</code>` +
        (c.schemaName === undefined
          ? ''
          : ` (${schemaCell({ $ref: `#/components/schemas/${c.schemaName}` })})`),
    );
    return (
      `<tr><td>${escapeHtml(a.status)}</td><td>${prose(a.description)}</td>` +
      `<td>${bodies.length === 0 ? 'none' : bodies.join('<br>')}</td></tr>`
    );
  });
  return (
    '<table><thead><tr><th scope="col">Status</th><th scope="col">Description</th>' +
    `<th scope="col">Body</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** One operation as Opencast's docs pages show it: fields, answers, then a testing form. */
export function renderOperation(operation: OperationView): string {
  const prefix = `op-${slug(operation.id)}`;
  const auth = operation.authenticated
    ? '<p class="auth">Needs HTTP Digest authentication when the service has users ' +
      '(<code>AUTH_DIGEST_USER</code>); the browser asks for them.</p>'
    : '<p>No authentication.</p>';
  return (
    `<section class="operation" id="${prefix}" aria-labelledby="${prefix}-title">` +
    `<h2 id="${prefix}-title"><span class="method">${operation.method}</span> ` +
    `<code>${escapeHtml(operation.path)}</code></h2>` +
    `<p><strong>${prose(operation.summary)}</strong></p>` +
    (operation.description === '' ? '' : `<p>${prose(operation.description)}</p>`) +
    auth +
    `<h3>Parameters</h3>${fieldsTable(operation.fields)}` +
    `<h3>Answers</h3>${answersTable(operation)}` +
    testingForm(prefix, operation) +
    '</section>'
  );
}
