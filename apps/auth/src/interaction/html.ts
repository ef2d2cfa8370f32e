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

/**
 * The document every page shares: the sign-in pages use it as it is; the admin console adds its own
 * stylesheet, a body class and its navigation above <main>.
 */
export function pageDocument(f: { title: string; body: Html; stylesheets: readonly string[]; bodyClass?: string; beforeMain?: Html }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(f.title)} · Taskize Connect</title>
${f.stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n')}
</head>
<body${f.bodyClass ? ` class="${escapeHtml(f.bodyClass)}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="brand"><span>Taskize Connect</span></header>
${f.beforeMain ? `${f.beforeMain.value}\n` : ''}<main id="main">
${f.body.value}
</main>
<footer>Taskize Connect</footer>
</body>
</html>
`;
}
