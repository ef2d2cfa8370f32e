import { ScimError } from '@taskize/scim-core';
import fc from 'fast-check';
import type { AttrPath, CompareNode, FilterNode } from './ast';
import { formatFilter } from './format';
import { parseFilter } from './parse';
import { filterToSql, type FilterColumns } from './to-sql';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const EMAILS = 'EXISTS (SELECT 1 FROM user_emails e WHERE e.tenant_id = u.tenant_id AND e.user_id = u.id';

const COLUMNS: FilterColumns = {
  attributes: {
    username: { column: 'u.user_name_lower', type: 'string', caseExact: false },
    externalid: { column: 'u.external_id', type: 'string', caseExact: true },
    title: { column: 'u.title', type: 'string', caseExact: false },
    active: { column: 'u.active', type: 'boolean', caseExact: false },
    'name.givenname': { column: 'u.given_name', type: 'string', caseExact: false },
    'meta.lastmodified': { column: 'u.last_modified', type: 'datetime', caseExact: false },
    'meta.version': { column: 'u.version', type: 'integer', caseExact: true },
    [`${ENT.toLowerCase()}:employeenumber`]: { column: 'u.employee_number', type: 'string', caseExact: true },
  },
  multiValued: {
    emails: {
      table: 'user_emails',
      alias: 'e',
      join: 'e.tenant_id = u.tenant_id AND e.user_id = u.id',
      subAttributes: {
        value: { column: 'e.value_lower', type: 'string', caseExact: false },
        type: { column: 'e.type', type: 'string', caseExact: false },
        primary: { column: 'e.is_primary', type: 'boolean', caseExact: false },
      },
      defaultSubAttribute: 'value',
    },
  },
};

const sql = (filter: string) => filterToSql(parseFilter(filter), COLUMNS);

describe('filterToSql translates', () => {
  const cases: [string, string, unknown[]][] = [
    // Okta's lookup before every create: case-insensitive userName against the lower-cased column.
    ['userName eq "Bjensen@Example.com"', 'u.user_name_lower = ?', ['bjensen@example.com']],
    ['USERNAME EQ "a"', 'u.user_name_lower = ?', ['a']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"', 'u.user_name_lower = ?', ['a']],
    ['externalId eq "AbC"', 'u.external_id = ?', ['AbC']],
    [`${ENT}:employeeNumber eq "E7"`, 'u.employee_number = ?', ['E7']],
    ['name.givenName eq "Ann"', 'u.given_name = ?', ['ann']],
    ['userName ne "a"', '(u.user_name_lower IS NULL OR u.user_name_lower <> ?)', ['a']],
    ['userName co "A"', "u.user_name_lower LIKE ? ESCAPE '!'", ['%a%']],
    ['userName sw "A"', "u.user_name_lower LIKE ? ESCAPE '!'", ['a%']],
    ['userName ew "A"', "u.user_name_lower LIKE ? ESCAPE '!'", ['%a']],
    ['userName co "50%_off!"', "u.user_name_lower LIKE ? ESCAPE '!'", ['%50!%!_off!!%']],
    ['externalId sw "a\\\\b"', "u.external_id LIKE ? ESCAPE '!'", ['a\\b%']],
    ['userName gt "m"', 'u.user_name_lower > ?', ['m']],
    ['userName ge "m"', 'u.user_name_lower >= ?', ['m']],
    ['userName lt "m"', 'u.user_name_lower < ?', ['m']],
    ['userName le "m"', 'u.user_name_lower <= ?', ['m']],
    ['title pr', "(u.title IS NOT NULL AND u.title <> '')", []],
    ['active pr', 'u.active IS NOT NULL', []],
    ['title eq null', "(u.title IS NULL OR u.title = '')", []],
    ['title ne null', "(u.title IS NOT NULL AND u.title <> '')", []],
    ['meta.version eq null', 'u.version IS NULL', []],
    ['active eq true', 'u.active = ?', [1]],
    ['active eq False', 'u.active = ?', [0]],
    ['active ne true', '(u.active IS NULL OR u.active <> ?)', [1]],
    ['meta.version ge 3', 'u.version >= ?', [3]],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'u.last_modified > ?', [new Date('2011-05-13T04:42:34.000Z')]],
    ['meta.lastModified ge "2011-05-13T04:42:34.1234567+02:00"', 'u.last_modified >= ?', [new Date('2011-05-13T02:42:34.123Z')]],
    ['meta.lastModified lt "2011-05-13"', 'u.last_modified < ?', [new Date('2011-05-13T00:00:00.000Z')]],
    ['meta.lastModified le "2011-05-13T04:42:34"', 'u.last_modified <= ?', [new Date('2011-05-13T04:42:34.000Z')]],
    ['title pr and userName eq "a"', "((u.title IS NOT NULL AND u.title <> '') AND u.user_name_lower = ?)", ['a']],
    ['userName eq "a" or userName eq "b"', '(u.user_name_lower = ? OR u.user_name_lower = ?)', ['a', 'b']],
    ['userName eq "a" or userName eq "b" and title pr', "(u.user_name_lower = ? OR (u.user_name_lower = ? AND (u.title IS NOT NULL AND u.title <> '')))", ['a', 'b']],
    // NOT keeps rows whose column is NULL: every test under it is two-valued.
    ['not (title eq "x")', 'NOT ((u.title IS NOT NULL AND u.title = ?))', ['x']],
    ['not (title co "x")', "NOT ((u.title IS NOT NULL AND u.title LIKE ? ESCAPE '!'))", ['%x%']],
    ['not (meta.version gt 1)', 'NOT ((u.version IS NOT NULL AND u.version > ?))', [1]],
    ['not (title ne "x")', 'NOT ((u.title IS NULL OR u.title <> ?))', ['x']],
    ['not (title eq "x" or userName eq "y")', 'NOT (((u.title IS NOT NULL AND u.title = ?) OR (u.user_name_lower IS NOT NULL AND u.user_name_lower = ?)))', ['x', 'y']],
    ['not (not (title eq "x"))', 'NOT (NOT ((u.title IS NOT NULL AND u.title = ?)))', ['x']],
    // Multi-valued: one correlated EXISTS per test; any element matching is enough.
    ['emails eq "A@B.c"', `${EMAILS} AND e.value_lower = ?)`, ['a@b.c']],
    ['emails.value eq "a@b.c"', `${EMAILS} AND e.value_lower = ?)`, ['a@b.c']],
    ['emails.value co "@example.com"', `${EMAILS} AND e.value_lower LIKE ? ESCAPE '!')`, ['%@example.com%']],
    ['emails pr', `${EMAILS})`, []],
    ['emails.type pr', `${EMAILS} AND (e.type IS NOT NULL AND e.type <> ''))`, []],
    ['emails.primary eq true', `${EMAILS} AND e.is_primary = ?)`, [1]],
    // Entra: the bracket filter and the trailing test hit the SAME element.
    ['emails[type eq "work"].value eq "A@b.c"', `${EMAILS} AND (e.type = ? AND e.value_lower = ?))`, ['work', 'a@b.c']],
    ['emails[type eq "work" and primary eq true]', `${EMAILS} AND (e.type = ? AND e.is_primary = ?))`, ['work', 1]],
    ['emails[not (type eq "work")]', `${EMAILS} AND NOT ((e.type IS NOT NULL AND e.type = ?)))`, ['work']],
    ['not (emails.value eq "x")', `NOT (${EMAILS} AND e.value_lower = ?))`, ['x']],
    ['userName eq "a" and emails[type eq "work"]', `(u.user_name_lower = ? AND ${EMAILS} AND e.type = ?))`, ['a', 'work']],
  ];

  it.each(cases)('%s', (filter, expectedSql, params) => {
    expect(sql(filter)).toStrictEqual({ sql: expectedSql, params });
  });

  it.each([
    ['userName eq "x\' OR 1=1 --"', "x' or 1=1 --"],
    ['externalId eq "\'; DROP TABLE users; --"', "'; DROP TABLE users; --"],
    ['externalId co "\\" OR \\"1\\"=\\"1"', '%" OR "1"="1%'],
    ['externalId eq "?"', '?'],
  ])('keeps injection attempt %s in params only', (filter, param) => {
    const result = sql(filter);
    expect(result.params).toEqual([param]);
    expect(result.sql).not.toMatch(/DROP|1=1|"/);
    expect(result.sql.split('?').length - 1).toBe(1);
  });
});

describe('filterToSql rejects with invalidFilter', () => {
  const cases: [string, RegExp][] = [
    ['password eq "x"', /attribute "password" is not filterable/],
    ['nickName pr', /attribute "nickname" is not filterable/],
    ['name.familyName eq "x"', /attribute "name.familyname" is not filterable/],
    ['urn:example:ext:2.0:User:userName eq "x"', /not filterable/],
    ['emails.display eq "x"', /attribute "emails.display" is not filterable/],
    ['emails[display eq "x"]', /attribute "emails.display" is not filterable/],
    ['phoneNumbers[type eq "work"]', /"phonenumbers" is not a filterable multi-valued attribute/],
    ['userName[type eq "work"]', /not a filterable multi-valued attribute/],
    ['constructor pr', /not filterable/],
    ['hasOwnProperty pr', /not filterable/],
    ['active eq "true"', /active is a boolean and needs true or false/],
    ['active eq 1', /active is a boolean/],
    ['active gt "a"', /active is a boolean/],
    ['userName eq 5', /username needs a string value/],
    ['userName eq true', /username needs a string value/],
    ['meta.version eq "3"', /meta.version needs an integer value/],
    ['meta.version eq 1.5', /meta.version needs an integer value/],
    ['meta.lastModified gt "yesterday"', /meta.lastmodified needs a dateTime value/],
    ['meta.lastModified gt "2024-02-30T00:00:00Z"', /needs a dateTime value/],
    ['meta.lastModified gt "2024-13-01T00:00:00Z"', /needs a dateTime value/],
    ['meta.lastModified eq 5', /needs a dateTime string/],
    ['meta.lastModified co "2024"', /operator "co" is not supported for dateTime/],
  ];

  it.each(cases)('rejects %p', (filter, detail) => {
    let caught: unknown;
    try {
      sql(filter);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScimError);
    expect((caught as ScimError).scimType).toBe('invalidFilter');
    expect((caught as ScimError).detail).toMatch(detail);
  });

  it.each<[string, FilterNode]>([
    ['gt on a boolean column', { kind: 'compare', path: { attr: 'active' }, op: 'gt', value: true }],
    ['co on an integer column', { kind: 'compare', path: { attr: 'meta', subAttr: 'version' }, op: 'co', value: 1 }],
    ['co with null', { kind: 'compare', path: { attr: 'title' }, op: 'co', value: null }],
    ['a nested value path', { kind: 'valuePath', attr: { attr: 'emails' }, filter: { kind: 'valuePath', attr: { attr: 'emails' }, filter: { kind: 'present', path: { attr: 'value' } } } }],
    ['a dotted path inside a value path', { kind: 'valuePath', attr: { attr: 'emails' }, filter: { kind: 'present', path: { attr: 'value', subAttr: 'x' } } }],
  ])('rejects a hand-built AST with %s', (_name, node) => {
    expect(() => filterToSql(node, COLUMNS)).toThrow(ScimError);
  });
});

describe('filterToSql and formatFilter on generated filters', () => {
  const paths: AttrPath[] = [
    { attr: 'username' },
    { attr: 'externalid' },
    { attr: 'title' },
    { attr: 'active' },
    { attr: 'name', subAttr: 'givenname' },
    { attr: 'meta', subAttr: 'lastmodified' },
    { attr: 'meta', subAttr: 'version' },
    { schema: ENT.toLowerCase(), attr: 'employeenumber' },
    { schema: 'urn:ietf:params:scim:schemas:core:2.0:user', attr: 'username' },
    { attr: 'emails' },
    { attr: 'emails', subAttr: 'value' },
    { attr: 'emails', subAttr: 'primary' },
    { attr: 'password' },
    { attr: 'constructor' },
  ];
  const subPaths: AttrPath[] = [{ attr: 'value' }, { attr: 'type' }, { attr: 'primary' }, { attr: 'display' }];
  // Marked strings: if "ZQ" ever shows up in SQL, a value leaked out of params.
  const value = fc.oneof(
    fc.string().map((s) => `ZQ${s}`),
    fc.constantFrom("ZQ' OR 1=1 --", 'ZQ%_!', '2011-05-13T04:42:34Z', '2024-02-30'),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
  );
  const op = fc.constantFrom<CompareNode['op']>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
  const leaf = (pathArb: fc.Arbitrary<AttrPath>) =>
    fc.oneof(
      fc.record({ kind: fc.constant('compare' as const), path: pathArb, op, value }),
      fc.record({ kind: fc.constant('present' as const), path: pathArb }),
    );
  const tree = (leafArb: fc.Arbitrary<FilterNode>, withValuePath: boolean): fc.Arbitrary<FilterNode> =>
    fc.letrec<{ node: FilterNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leafArb,
        fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
        ...(withValuePath
          ? [fc.record({ kind: fc.constant('valuePath' as const), attr: fc.constantFrom<AttrPath>({ attr: 'emails' }, { attr: 'title' }), filter: tree(leaf(fc.constantFrom(...subPaths)), false) })]
          : []),
      ),
    })).node;
  const filters = tree(leaf(fc.constantFrom(...paths)), true);

  it('throws nothing but invalidFilter, and never puts a value into the SQL', () => {
    fc.assert(
      fc.property(filters, (node) => {
        try {
          const result = filterToSql(node, COLUMNS);
          expect(result.sql).not.toContain('ZQ');
          expect(result.sql.split('?').length - 1).toBe(result.params.length);
        } catch (e) {
          if (!(e instanceof ScimError && e.scimType === 'invalidFilter')) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('parses formatted filters back to the same AST', () => {
    fc.assert(
      fc.property(filters, (node) => {
        let reparsed: FilterNode;
        try {
          reparsed = parseFilter(formatFilter(node));
        } catch (e) {
          // Generated operands the grammar forbids (e.g. `co null`) are rejected, and only as invalidFilter.
          if (e instanceof ScimError && e.scimType === 'invalidFilter') return;
          throw e;
        }
        // fc.record builds null-prototype objects, so compare structure rather than prototypes.
        expect(reparsed).toEqual(node);
      }),
      { numRuns: 1000 },
    );
  });

  it('translates parsed random token soup without throwing anything but ScimError', () => {
    const token = fc.constantFrom('userName', 'emails', 'emails.value', 'active', 'title', 'meta.lastModified', 'eq', 'co', 'gt', 'pr', 'and', 'or', 'not', '(', ')', '[', ']', '.', 'type', 'value', '"x"', 'true', 'null', '1', '"2024-01-01"');
    const text = fc.array(token, { maxLength: 20 }).map((t) => t.join(' '));
    fc.assert(
      fc.property(text, (t) => {
        try {
          filterToSql(parseFilter(t), COLUMNS);
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
