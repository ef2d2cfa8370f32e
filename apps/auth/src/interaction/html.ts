/**
 * The one HTML template kit of auth's server-rendered pages (the OAuth interaction and the admin
 * console): every interpolated value is escaped once, here, unless it is Html these helpers made.
 */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Raw HTML produced by these helpers; anything else passed to a page is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(v: unknown): string {
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof Html) return v.value;
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

export const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
export const errorBox = (message?: string) => (message ? html`<div class="error" role="alert" id="form-error">${message}</div>` : '');
