import { ScimError } from '@taskize/scim-core';
import fc from 'fast-check';
import type { AttrPath, CompareNode, FilterNode, FilterValue } from './ast';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter, parsePatchPath, type PatchPath } from './parse';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:user';

const p = (attr: string, subAttr?: string, schema?: string): AttrPath => ({
  ...(schema === undefined ? {} : { schema }),
  attr,
  ...(subAttr === undefined ? {} : { subAttr }),
});
const cmp = (path: AttrPath, op: CompareNode['op'], value: FilterValue): CompareNode => ({ kind: 'compare', path, op, value });
const pr = (path: AttrPath): FilterNode => ({ kind: 'present', path });
const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
const not = (filter: FilterNode): FilterNode => ({ kind: 'not', filter });
const vp = (attr: AttrPath, filter: FilterNode): FilterNode => ({ kind: 'valuePath', attr, filter });

function invalidFilterDetail(text: string): string {
  try {
    parseFilter(text);
  } catch (e) {
    if (e instanceof ScimError && e.status === 400 && e.scimType === 'invalidFilter') return e.detail;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseFilter accepts', () => {
  const cases: [string, FilterNode][] = [
    // What Okta and Entra send.
    ['userName eq "bjensen@example.com"', cmp(p('username'), 'eq', 'bjensen@example.com')],
    ['externalId eq "0a21f0f2-8d2a"', cmp(p('externalid'), 'eq', '0a21f0f2-8d2a')],
    ['displayName eq "Finance Team"', cmp(p('displayname'), 'eq', 'Finance Team')],
    ['emails[type eq "work"].value eq "a@b.c"', vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'eq', 'a@b.c')))],
    // RFC 7644 §3.4.2.2 examples.
    ['name.familyName co "O\'Malley"', cmp(p('name', 'familyname'), 'co', "O'Malley")],
    ['userName sw "J"', cmp(p('username'), 'sw', 'J')],
    [`${CORE}:userName sw "J"`, cmp(p('username', undefined, CORE), 'sw', 'J')],
    ['title pr', pr(p('title'))],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp(p('meta', 'lastmodified'), 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp(p('meta', 'lastmodified'), 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp(p('meta', 'lastmodified'), 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp(p('meta', 'lastmodified'), 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr(p('title')), cmp(p('usertype'), 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr(p('title')), cmp(p('usertype'), 'eq', 'Intern'))],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(cmp(p('usertype'), 'eq', 'Employee'), or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org'))),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp(p('usertype'), 'ne', 'Employee'), not(or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org')))),
    ],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', and(cmp(p('usertype'), 'eq', 'Employee'), vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'co', '@example.com'))))],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'co', '@example.com'))), vp(p('ims'), and(cmp(p('type'), 'eq', 'xmpp'), cmp(p('value'), 'co', '@foo.com')))),
    ],
    ['emails[type eq "work" and primary eq true]', vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('primary'), 'eq', true)))],
    ['emails[not (type eq "work")]', vp(p('emails'), not(cmp(p('type'), 'eq', 'work')))],
    ['emails[type eq "work"].value pr', vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), pr(p('value'))))],
    [`${ENT}:employeeNumber eq "701984"`, cmp(p('employeenumber', undefined, ENT), 'eq', '701984')],
    [`${ENT}:manager.value eq "m1"`, cmp(p('manager', 'value', ENT), 'eq', 'm1')],
    ['members[value eq "2819c223"]', vp(p('members'), cmp(p('value'), 'eq', '2819c223'))],
    ['members.$ref pr', pr(p('members', '$ref'))],
    // Precedence and associativity: and binds tighter than or; both left-associative.
    ['a pr or b pr and c pr', or(pr(p('a')), and(pr(p('b')), pr(p('c'))))],
    ['a pr and b pr or c pr', or(and(pr(p('a')), pr(p('b'))), pr(p('c')))],
    ['a pr and b pr and c pr', and(and(pr(p('a')), pr(p('b'))), pr(p('c')))],
    ['a pr or b pr or c pr', or(or(pr(p('a')), pr(p('b'))), pr(p('c')))],
    ['(a pr or b pr) and c pr', and(or(pr(p('a')), pr(p('b'))), pr(p('c')))],
    ['((a pr))', pr(p('a'))],
    ['not (not (a pr))', not(not(pr(p('a'))))],
    ['not(a pr)', not(pr(p('a')))],
    // Case-insensitivity of names, operators and keywords.
    ['UserName EQ "X"', cmp(p('username'), 'eq', 'X')],
    ['USERNAME Eq "x" AND title PR', and(cmp(p('username'), 'eq', 'x'), pr(p('title')))],
    ['a pr OR b pr', or(pr(p('a')), pr(p('b')))],
    ['NOT (a pr)', not(pr(p('a')))],
    ['active eq TRUE', cmp(p('active'), 'eq', true)],
    [`URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER eq "1"`, cmp(p('employeenumber', undefined, ENT), 'eq', '1')],
    // Values.
    ['active eq false', cmp(p('active'), 'eq', false)],
    ['title eq null', cmp(p('title'), 'eq', null)],
    ['title ne null', cmp(p('title'), 'ne', null)],
    ['x eq 42', cmp(p('x'), 'eq', 42)],
    ['x gt -1.5e3', cmp(p('x'), 'gt', -1500)],
    ['x lt 0', cmp(p('x'), 'lt', 0)],
    ['x eq 0.25', cmp(p('x'), 'eq', 0.25)],
    ['x eq "a \\"quoted\\" \\\\ \\/ \\n \\t \\u00e9"', cmp(p('x'), 'eq', 'a "quoted" \\ / \n \t é')],
    ['x eq ""', cmp(p('x'), 'eq', '')],
    ['x eq "a+b@c.d"', cmp(p('x'), 'eq', 'a+b@c.d')],
    ['x eq "日本"', cmp(p('x'), 'eq', '日本')],
    // Whitespace of any amount between tokens.
    ['   userName    eq\t"x"  ', cmp(p('username'), 'eq', 'x')],
    ['userName\neq\r\n"x"', cmp(p('username'), 'eq', 'x')],
    ['( a pr )', pr(p('a'))],
    ['emails[ type eq "work" ] . value eq "x"', vp(p('emails'), and(cmp(p('type'), 'eq', 'work'), cmp(p('value'), 'eq', 'x')))],
    // `not` and keywords are only keywords where the grammar expects them.
    ['not eq "x"', cmp(p('not'), 'eq', 'x')],
    ['pr pr', pr(p('pr'))],
    ['x-y_z pr', pr(p('x-y_z'))],
  ];

  it.each(cases)('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });
});

describe('parseFilter rejects with invalidFilter', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['userName', /expected an operator after "userName" but found end of filter/],
    ['userName eq', /expected a value after "eq" but found end of filter at position 11/],
    ['id -pr', /invalid number at position 3/],
    ['userName eq "unterminated', /unterminated string at position 12/],
    ['(userName eq "a"', /expected "\)" but found end of filter/],
    ['userName eq "a")', /unexpected "\)"/],
    ['foo[bar', /expected an operator after "bar"/],
    ['foo[bar pr', /expected "\]"/],
    ['userName xx "a"', /unknown operator "xx" at position 9/],
    ['userName eq \'a\'', /unexpected character "'"/],
    ['userName eq "a" "b"', /unexpected "\\"b\\""/],
    ['userName eq "a" and', /expected an attribute path/],
    // A keyword where a path is expected reads as an attribute name, so the error lands on the next token.
    ['userName eq "a" or or b pr', /unknown operator "b" at position 22/],
    ['and a pr', /unknown operator "a" at position 4/],
    ['not a pr', /unknown operator "a" at position 4/],
    ['not ()', /expected an attribute path/],
    ['()', /expected an attribute path/],
    ['userName eq bjensen', /expected a value after "eq" but found "bjensen"/],
    ['userName eq "a\\x"', /invalid escape/],
    ['userName eq "\\u12"', /invalid \\u escape/],
    ['userName eq "tab\there"', /unescaped control character/],
    ['x eq 01', /invalid number/],
    ['x eq 1.', /invalid number/],
    ['x eq 1e', /invalid number/],
    ['x eq 1abc', /invalid number/],
    ['x eq -', /invalid number/],
    ['x eq 1e999', /number out of range/],
    ['userName+eq+"x"', /unexpected character "\+"/],
    ['a.b.c pr', /invalid attribute path "a.b.c"/],
    ['name. pr', /invalid attribute path/],
    ['foo:bar pr', /invalid attribute path/],
    ['urn:ietf:params:scim:schemas:core:2.0:User: pr', /invalid attribute path/],
    ['1abc pr', /invalid number/],
    ['emails[type eq "work"', /expected "\]"/],
    ['emails[type[value eq "x"] pr]', /value filters cannot be nested/],
    ['emails[name.x eq "x"]', /sub-attribute name inside/],
    [`emails[${ENT}:x eq "x"]`, /sub-attribute name inside/],
    ['name.givenName[value eq "x"]', /must follow a multi-valued attribute/],
    ['emails[type eq "work"].', /expected a sub-attribute name after "\]\."/],
    ['emails[type eq "work"].value', /expected an operator after "value"/],
    ['emails[type eq "work"].value.x eq "y"', /expected a sub-attribute name/],
    ['emails[type eq "work"] eq "x"', /unexpected "eq"/],
    ['title co null', /operator "co" cannot compare with null/],
    ['active gt true', /operator "gt" cannot compare with boolean/],
    ['x sw 1', /operator "sw" cannot compare with number/],
    ['x lt null', /operator "lt" cannot compare with null/],
    ['a pr]', /unexpected "\]"/],
    ['[a pr]', /expected an attribute path/],
    ['a eq "x" extra', /unexpected "extra"/],
    ['userName eq "x" & b pr', /unexpected character "&"/],
  ];

  it.each(cases)('rejects %p', (text, detail) => {
    expect(invalidFilterDetail(text)).toMatch(detail);
  });

  it(`rejects filters longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const text = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(invalidFilterDetail(text)).toMatch(/longer than 4096/);
  });

  it.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`],
    ['not', (n: number) => `${'not ('.repeat(n)}a pr${')'.repeat(n)}`],
  ])('accepts %s nested %i levels deep and rejects one more', (_name, build) => {
    expect(() => parseFilter(build(MAX_FILTER_DEPTH))).not.toThrow();
    expect(invalidFilterDetail(build(MAX_FILTER_DEPTH + 1))).toMatch(/nested more than 32 levels/);
  });

  it('rejects deep nesting long before the stack runs out', () => {
    expect(invalidFilterDetail(`${'('.repeat(2000)}a pr${')'.repeat(2000)}`)).toMatch(/nested more than/);
  });

  it('rejects a non-string filter', () => {
    expect(invalidFilterDetail(42 as unknown as string)).toMatch(/must be a string/);
  });
});

describe('parseFilter on arbitrary input', () => {
  const onlyScimErrors = (text: string) => {
    try {
      parseFilter(text);
      return true;
    } catch (e) {
      return e instanceof ScimError && e.scimType === 'invalidFilter' && e.status === 400;
    }
  };

  it('throws nothing but invalidFilter on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), onlyScimErrors), { numRuns: 2000 });
  });

  it('throws nothing but invalidFilter on strings built from filter tokens', () => {
    const token = fc.constantFrom(
      'userName', 'emails', 'emails.value', 'name.givenName', 'type', 'value', `${ENT}:employeeNumber`, 'urn:', 'x.', 'a.b.c',
      'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'xx',
      'and', 'or', 'not', 'AND', 'Or', 'NOT',
      '(', ')', '[', ']', '.', '"x"', '"', '"\\', '"\\u00', 'true', 'false', 'null', '42', '-1.5e3', '-', '0x1', '1e999',
      '+', "'", '!', '%', '$ref',
    );
    const space = fc.constantFrom('', ' ', '  ', '\t', '\n');
    const text = fc.array(fc.tuple(token, space), { maxLength: 30 }).map((parts) => parts.map(([t, s]) => t + s).join(''));
    fc.assert(fc.property(text, onlyScimErrors), { numRuns: 5000 });
  });
});

describe('parsePatchPath', () => {
  it.each<[string, PatchPath]>([
    ['members', { attr: p('members') }],
    ['name.familyName', { attr: p('name', 'familyname') }],
    ['active', { attr: p('active') }],
    [`${ENT}:manager`, { attr: p('manager', undefined, ENT) }],
    [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`, { attr: p('employeenumber', undefined, ENT) }],
    ['members[value eq "2819c223"]', { attr: p('members'), filter: cmp(p('value'), 'eq', '2819c223') }],
    ['emails[type eq "work"].value', { attr: p('emails'), filter: cmp(p('type'), 'eq', 'work'), subAttr: 'value' }],
    ['addresses[type eq "work"].streetAddress', { attr: p('addresses'), filter: cmp(p('type'), 'eq', 'work'), subAttr: 'streetaddress' }],
  ])('parses %s', (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
  });

  it.each([
    ['', /path is empty/],
    ['members[value eq', /expected a value/],
    ['members[value eq "x"] extra', /unexpected "extra"/],
    ['emails[type eq "work"].value eq "x"', /unexpected "eq"/],
    ['a.b.c', /invalid attribute path/],
    ['"members"', /expected an attribute path/],
  ])('rejects %p with invalidPath', (text, detail) => {
    let caught: unknown;
    try {
      parsePatchPath(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScimError);
    expect((caught as ScimError).scimType).toBe('invalidPath');
    expect((caught as ScimError).detail).toMatch(detail);
  });

  it('throws nothing but invalidPath on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parsePatchPath(text);
        } catch (e) {
          if (!(e instanceof ScimError && e.scimType === 'invalidPath')) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
