import { escapeHtml, prose, slug } from './html.js';
import type { FieldView, OperationView } from './openapi-view.js';

/** How the page names where a field goes. */
export const PLACE: Record<FieldView['in'], string> = {
  path: 'path',
  query: 'query',
  header: 'header',
  form: 'form field',
};

function formField(prefix: string, f: FieldView): string {
  const id = `${prefix}-${f.in}-${slug(f.name)}`;
  const attrs =
    `id="${id}" name="${escapeHtml(f.name)}" data-in="${f.in}" aria-describedby="${id}-hint" ` +
    'autocomplete="off" spellcheck="false"';
  const control = f.multiline
    ? `<textarea ${attrs}>${escapeHtml(f.initial)}</textarea>`
    : `<input type="text" ${attrs} value="${escapeHtml(f.initial)}">`;
  const hint = f.description === '' ? '' : ` ${prose(f.description)}`;
  return (
    `<div class="field"><label for="${id}">${escapeHtml(f.name)} ` +
    `<span class="hint">(${PLACE[f.in]}${f.required ? ', required' : ''})</span></label>` +
    `${control}<span class="hint" id="${id}-hint">${hint}</span></div>`
  );
}

/**
 * The testing form: sends the request from the page (the page's script) and shows the
 * answer's status, main headers and body below it. Without the script, POST forms still
 * post their fields to the endpoint (header parameters then go nowhere).
 */
export function testingForm(prefix: string, operation: OperationView): string {
  const hasForm = operation.fields.some((f) => f.in === 'form');
  const hasPath = operation.fields.some((f) => f.in === 'path');
  const native =
    operation.method === 'POST' || (operation.method === 'GET' && !hasPath)
      ? ` method="${operation.method.toLowerCase()}" action="${escapeHtml(operation.path)}"`
      : '';
  return (
    `<details><summary>Testing form</summary>` +
    `<form id="${prefix}-form"${native} data-method="${operation.method}" ` +
    `data-path="${escapeHtml(operation.path)}" data-result="${prefix}-result"` +
    `${hasForm ? ' data-body="form"' : ''} aria-label="Testing form for ${operation.method} ${escapeHtml(operation.path)}">` +
    operation.fields.map((f) => formField(prefix, f)).join('') +
    `<button type="submit">Submit</button></form>` +
    `<div class="result" id="${prefix}-result">` +
    `<p class="status" role="status"></p>` +
    `<pre class="headers" aria-label="Answer headers"></pre>` +
    `<pre class="body" aria-label="Answer body" tabindex="0"></pre></div></details>`
  );
}
