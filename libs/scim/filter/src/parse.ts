import { ScimError, ScimErrors } from '@taskize/scim-core';
import { COMPARE_OPS, type AttrPath, type CompareOp, type FilterNode, type FilterValue } from './ast';
import { filterError, tokenize, type Token } from './tokenize';

/** Longer filters are not something an IdP sends; the cap bounds parse time and the size of the generated SQL. */
export const MAX_FILTER_LENGTH = 4096;
/** Bounds recursion (parentheses, `not`, value paths) so hostile input cannot exhaust the stack. */
export const MAX_FILTER_DEPTH = 32;

const ATTR_NAME = /^\$?[a-z][a-z0-9_-]*$/;

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of filter';
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return JSON.stringify(text);
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

/**
 * Parses an attribute path: `userName`, `name.givenName`, or one with a schema URN prefix such as
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` (RFC 7644 §3.10). The schema is
 * everything up to the last colon; the URN's own dots (`2.0`) come before it.
 */
function toAttrPath(token: Token): AttrPath {
  const lower = token.text.toLowerCase();
  let schema: string | undefined;
  let rest = lower;
  if (lower.startsWith('urn:')) {
    const colon = lower.lastIndexOf(':');
    schema = lower.slice(0, colon);
    rest = lower.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) {
    throw filterError(`invalid attribute path ${describe(token)}`, token.pos);
  }
  const [attr, subAttr] = parts as [string, string | undefined];
  return { ...(schema === undefined ? {} : { schema }), attr, ...(subAttr === undefined ? {} : { subAttr }) };
}

class Parser {
  private index = 0;
  private depth = 0;

  private readonly eof: Token;

  constructor(private readonly tokens: Token[]) {
    this.eof = tokens.at(-1) ?? { kind: 'eof', text: '', pos: 0 };
  }

  parse(): FilterNode {
    const node = this.parseOr(false);
    const rest = this.peek();
    if (rest.kind !== 'eof') throw filterError(`unexpected ${describe(rest)}`, rest.pos);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[this.index + offset] ?? this.eof;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private expect(kind: Token['kind'], what: string): Token {
    const token = this.next();
    if (token.kind !== kind) throw filterError(`expected ${what} but found ${describe(token)}`, token.pos);
    return token;
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) throw filterError(`filter is nested more than ${MAX_FILTER_DEPTH} levels deep`, token.pos);
  }

  private leave(): void {
    this.depth--;
  }

  // RFC 7644 §3.4.2.2: "and" binds tighter than "or"; both are left-associative.
  private parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath);
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    const token = this.peek();
    // `not` is only a keyword before "("; otherwise it could be an attribute name.
    if (isKeyword(token, 'not') && this.peek(1).kind === 'lparen') {
      this.next();
      return { kind: 'not', filter: this.parseGroup(inValuePath) };
    }
    if (token.kind === 'lparen') return this.parseGroup(inValuePath);
    if (token.kind === 'word') return this.parseAttrExp(inValuePath);
    throw filterError(`expected an attribute path, "(" or "not" but found ${describe(token)}`, token.pos);
  }

  private parseGroup(inValuePath: boolean): FilterNode {
    const open = this.expect('lparen', '"("');
    this.enter(open);
    const inner = this.parseOr(inValuePath);
    this.expect('rparen', '")"');
    this.leave();
    return inner;
  }

  private parseAttrExp(inValuePath: boolean): FilterNode {
    const pathToken = this.next();
    const path = toAttrPath(pathToken);
    if (inValuePath && (path.schema !== undefined || path.subAttr !== undefined)) {
      // Inside brackets names are sub-attributes of one element (`emails[type eq "work"]`).
      throw filterError(`expected a sub-attribute name inside "[...]" but found ${describe(pathToken)}`, pathToken.pos);
    }
    if (this.peek().kind === 'lbracket') return this.parseValuePath(path, pathToken, inValuePath);
    return this.parseTest(path, pathToken);
  }

  private parseValuePath(attr: AttrPath, pathToken: Token, inValuePath: boolean): FilterNode {
    let filter = this.parseBrackets(attr, pathToken, inValuePath);
    // Entra: `emails[type eq "work"].value eq "x"` — the trailing test applies to the same element.
    if (this.peek().kind === 'dot') {
      const [sub, subToken] = this.parseDotSubAttr();
      filter = { kind: 'and', left: filter, right: this.parseTest(sub, subToken) };
    }
    return { kind: 'valuePath', attr, filter };
  }

  /** `"[" valFilter "]"` after a multi-valued attribute. */
  private parseBrackets(attr: AttrPath, pathToken: Token, inValuePath: boolean): FilterNode {
    const open = this.next();
    if (inValuePath) throw filterError('value filters cannot be nested', open.pos);
    if (attr.subAttr !== undefined) throw filterError(`"[" must follow a multi-valued attribute, not ${describe(pathToken)}`, open.pos);
    this.enter(open);
    const filter = this.parseOr(true);
    this.expect('rbracket', '"]"');
    this.leave();
    return filter;
  }

  /** `"." subAttr` after `]`. */
  private parseDotSubAttr(): [AttrPath, Token] {
    this.expect('dot', '"."');
    const subToken = this.expect('word', 'a sub-attribute name after "]."');
    const sub = toAttrPath(subToken);
    if (sub.schema !== undefined || sub.subAttr !== undefined) {
      throw filterError(`expected a sub-attribute name but found ${describe(subToken)}`, subToken.pos);
    }
    return [sub, subToken];
  }

  /** RFC 7644 §3.5.2 PATH = attrPath / valuePath [subAttr]. */
  parsePatchPath(): PatchPath {
    const pathToken = this.expect('word', 'an attribute path');
    const attr = toAttrPath(pathToken);
    let result: PatchPath = { attr };
    if (this.peek().kind === 'lbracket') {
      result = { attr, filter: this.parseBrackets(attr, pathToken, false) };
      if (this.peek().kind === 'dot') result = { ...result, subAttr: this.parseDotSubAttr()[0].attr };
    }
    const rest = this.peek();
    if (rest.kind !== 'eof') throw filterError(`unexpected ${describe(rest)}`, rest.pos);
    return result;
  }

  /** `attrPath pr` or `attrPath compareOp compValue`. */
  private parseTest(path: AttrPath, pathToken: Token): FilterNode {
    const opToken = this.next();
    if (opToken.kind !== 'word') {
      throw filterError(`expected an operator after ${describe(pathToken)} but found ${describe(opToken)}`, opToken.pos);
    }
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) throw filterError(`unknown operator ${describe(opToken)}`, opToken.pos);
    const value = this.parseValue(opToken);
    checkOperand(op as CompareOp, value, opToken);
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  private parseValue(opToken: Token): FilterValue {
    const token = this.next();
    if ((token.kind === 'string' || token.kind === 'number') && token.value !== undefined) return token.value;
    if (token.kind === 'word') {
      // RFC 7644 compValue: false / null / true (accepted in any case, like the other keywords).
      const lower = token.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
    }
    throw filterError(`expected a value after ${describe(opToken)} but found ${describe(token)}`, token.pos);
  }
}

/**
 * Operand checks that do not depend on the attribute (RFC 7644 §3.4.2.2): co/sw/ew take strings; ordering
 * operators take strings (incl. dateTimes) or numbers; booleans and null only eq/ne. Column-type checks are in
 * filterToSql.
 */
function checkOperand(op: CompareOp, value: FilterValue, opToken: Token): void {
  const type = value === null ? 'null' : typeof value;
  const ok =
    op === 'eq' || op === 'ne'
      ? true
      : op === 'co' || op === 'sw' || op === 'ew'
        ? type === 'string'
        : type === 'string' || type === 'number';
  if (!ok) throw filterError(`operator "${op}" cannot compare with ${type}`, opToken.pos);
}

/**
 * A PATCH operation path (RFC 7644 §3.5.2): `members`, `name.givenName`, `urn:…:User:manager`,
 * `members[value eq "2819c223"]`, or Entra's `emails[type eq "work"].value`. Paths inside `filter` are relative
 * to one element of `attr`, as in ValuePathNode.
 */
export interface PatchPath {
  attr: AttrPath;
  filter?: FilterNode;
  /** Lower-case sub-attribute after `].`, e.g. `value`. */
  subAttr?: string;
}

/**
 * Parses a PATCH `path`; throws only ScimError(400, invalidPath) (RFC 7644 §3.5.2: a malformed path is
 * invalidPath, even when the fault is inside the brackets).
 */
export function parsePatchPath(text: string): PatchPath {
  try {
    if (typeof text !== 'string' || text.trim() === '') throw ScimErrors.invalidFilter('path is empty');
    if (text.length > MAX_FILTER_LENGTH) throw ScimErrors.invalidFilter(`path is longer than ${MAX_FILTER_LENGTH} characters`);
    return new Parser(tokenize(text)).parsePatchPath();
  } catch (e) {
    if (e instanceof ScimError) throw ScimErrors.invalidPath(e.detail);
    throw e;
  }
}

/** Parses an RFC 7644 §3.4.2.2 filter into a typed AST; throws only ScimError(400, invalidFilter). */
export function parseFilter(text: string): FilterNode {
  if (typeof text !== 'string') throw ScimErrors.invalidFilter('filter must be a string');
  if (text.length > MAX_FILTER_LENGTH) throw ScimErrors.invalidFilter(`filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.trim() === '') throw ScimErrors.invalidFilter('filter is empty');
  return new Parser(tokenize(text)).parse();
}
