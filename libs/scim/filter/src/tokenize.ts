import { ScimErrors, type ScimError } from '@taskize/scim-core';

export type TokenKind = 'word' | 'string' | 'number' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'dot' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token, as written. */
  text: string;
  /** 0-based offset in the filter string. */
  pos: number;
  /** Decoded value of a string or number token. */
  value?: string | number;
}

const PUNCTUATION: Record<string, TokenKind> = { '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket', '.': 'dot' };

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function filterError(message: string, pos: number): ScimError {
  return ScimErrors.invalidFilter(`${message} at position ${pos}`);
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function isAlpha(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** RFC 7644 ATTRNAME starts with ALPHA (`$ref` is the one `$` name); a word may carry a URN prefix and dots. */
function isWordStart(ch: string): boolean {
  return isAlpha(ch) || ch === '$';
}

function isWordChar(ch: string): boolean {
  return isAlpha(ch) || isDigit(ch) || ch === '-' || ch === '_' || ch === '$' || ch === ':' || ch === '.';
}

/**
 * Splits a filter into tokens. The input is the already URL-decoded query parameter: turning `+` into a space
 * (Entra sends `userName+eq+...`) is the HTTP layer's job, so a `+` here is just an unexpected character.
 * Any run of spaces, tabs or newlines separates tokens.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (isWhitespace(ch)) {
      i++;
      continue;
    }
    const punct = PUNCTUATION[ch];
    if (punct !== undefined) {
      tokens.push({ kind: punct, text: ch, pos: i });
      i++;
    } else if (ch === '"') {
      i = readString(text, i, tokens);
    } else if (ch === '-' || isDigit(ch)) {
      i = readNumber(text, i, tokens);
    } else if (isWordStart(ch)) {
      const start = i;
      while (i < text.length && isWordChar(text.charAt(i))) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
    } else {
      throw filterError(`unexpected character ${JSON.stringify(ch)}`, i);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}

/** A JSON string (RFC 8259 §7), as RFC 7644 §3.4.2.2 requires for compValue strings. */
function readString(text: string, start: number, tokens: Token[]): number {
  let i = start + 1;
  let value = '';
  for (;;) {
    if (i >= text.length) throw filterError('unterminated string', start);
    const ch = text.charAt(i);
    if (ch === '"') break;
    if (ch === '\\') {
      const esc = text[i + 1];
      if (esc === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw filterError('invalid \\u escape in string', i);
        value += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const decoded = esc === undefined ? undefined : ESCAPES[esc];
      if (decoded === undefined) throw filterError('invalid escape in string', i);
      value += decoded;
      i += 2;
      continue;
    }
    if (ch < ' ') throw filterError('unescaped control character in string', i);
    value += ch;
    i++;
  }
  tokens.push({ kind: 'string', text: text.slice(start, i + 1), pos: start, value });
  return i + 1;
}

/** A JSON number (RFC 8259 §6): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function readNumber(text: string, start: number, tokens: Token[]): number {
  let i = start;
  const digits = () => {
    const from = i;
    while (i < text.length && isDigit(text.charAt(i))) i++;
    return i - from;
  };
  if (text[i] === '-') i++;
  if (text[i] === '0') i++;
  else if (digits() === 0) throw filterError('invalid number', start);
  if (text[i] === '.') {
    i++;
    if (digits() === 0) throw filterError('invalid number', start);
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (digits() === 0) throw filterError('invalid number', start);
  }
  if (i < text.length && (isWordChar(text.charAt(i)) || text[i] === '"')) throw filterError('invalid number', start);
  const raw = text.slice(start, i);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw filterError('number out of range', start);
  tokens.push({ kind: 'number', text: raw, pos: start, value });
  return i;
}
