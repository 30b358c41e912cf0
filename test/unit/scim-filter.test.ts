// Filter parser and filter → Prisma where translation, table-driven, no database.
import t from 'tap';
import fs from 'node:fs';
import { parseFilter, MAX_FILTER_LENGTH } from '../../src/scim/filter/parse.ts';
import { userWhere, groupWhere, userOrderBy, groupOrderBy } from '../../src/scim/filter/to-where.ts';
import { userKeyLookup } from '../../src/scim/filter/key-lookup.ts';
import type { FilterNode } from '../../src/scim/filter/ast.ts';
import { scimType } from '../helpers/scim-type.ts';

const fixture = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const valid: { filter: string; ast: FilterNode }[] = fixture('scim-filter-valid.json');
const invalid: string[] = fixture('scim-filter-invalid.json');

t.test('valid filters parse to the expected AST', async (t) => {
  t.ok(valid.length >= 60);
  for (const c of valid) t.same(parseFilter(c.filter), c.ast, c.filter);
});

t.test('invalid filters are invalidFilter', async (t) => {
  t.ok(invalid.length >= 40);
  for (const f of invalid) t.equal(scimType(() => parseFilter(f)), 'invalidFilter', JSON.stringify(f));
});

t.test('precedence: not > and > or, parentheses override', async (t) => {
  const cmp = (attr: string) => ({ kind: 'compare', path: { attr }, op: 'eq', value: 1 });
  t.same(parseFilter('a eq 1 or b eq 1 and c eq 1'), { kind: 'or', left: cmp('a'), right: { kind: 'and', left: cmp('b'), right: cmp('c') } });
  t.same(parseFilter('(a eq 1 or b eq 1) and c eq 1'), { kind: 'and', left: { kind: 'or', left: cmp('a'), right: cmp('b') }, right: cmp('c') });
  t.same(parseFilter('not (a eq 1) or b eq 1'), { kind: 'or', left: { kind: 'not', expr: cmp('a') }, right: cmp('b') });
  t.same(parseFilter('a eq 1 and b eq 1 and c eq 1'), { kind: 'and', left: { kind: 'and', left: cmp('a'), right: cmp('b') }, right: cmp('c') });
});

t.test('Entra shapes from entra-cases.json parse', async (t) => {
  t.same(parseFilter('emails[type eq "work"].value eq "x@y"'), {
    kind: 'valuePath',
    path: { attr: 'emails' },
    filter: {
      kind: 'and',
      left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      right: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'x@y' },
    },
  });
  // Q15 / I08: legacy unquoted value tolerated as a string.
  t.same(parseFilter('externalId eq carol123'), { kind: 'compare', path: { attr: 'externalId' }, op: 'eq', value: 'carol123' });
});

t.test('huge and deeply nested inputs are rejected, never a stack overflow', async (t) => {
  t.equal(scimType(() => parseFilter('('.repeat(100_000) + 'a eq 1' + ')'.repeat(100_000))), 'invalidFilter');
  t.equal(scimType(() => parseFilter('('.repeat(40) + 'a eq 1' + ')'.repeat(40))), 'invalidFilter');
  t.equal(scimType(() => parseFilter('not ('.repeat(40) + 'a eq 1' + ')'.repeat(40))), 'invalidFilter');
  t.equal(scimType(() => parseFilter(`userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`)), 'invalidFilter');
  t.equal(scimType(() => parseFilter(Array(300).fill('a eq 1').join(' or '))), 'invalidFilter');
  t.ok(parseFilter('('.repeat(20) + 'a eq 1' + ')'.repeat(20)));
  t.ok(userWhere(parseFilter(Array(200).fill('userName eq "x"').join(' or '))));
});

// ---- to-where ------------------------------------------------------------------------------------

const EMAIL = (inner: object) => ({ values: { some: { attr: 'emails', AND: [inner] } } });
const userCases: [string, object][] = [
  // Entra matching attributes: indexed equality, lower-cased where caseExact is false.
  ['userName eq "Alice@Contoso.COM"', { userNameKey: { equals: 'alice@contoso.com' } }],
  ['externalId eq "AbC-1"', { externalId: { equals: 'AbC-1', not: null } }],
  ['displayName eq "Bob Brown"', { displayNameKey: { equals: 'bob brown', not: null } }],
  ['id eq "U-1"', { id: { equals: 'U-1' } }],
  ['emails.value eq "A@X.io"', EMAIL({ valueKey: { equals: 'a@x.io', not: null } })],
  ['emails eq "A@X.io"', EMAIL({ valueKey: { equals: 'a@x.io', not: null } })],
  ['id eq "u1" and manager eq "m1"', { AND: [{ id: { equals: 'u1' } }, { managerId: { equals: 'm1', not: null } }] }],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"', { managerId: { equals: 'm1', not: null } }],
  // NULL semantics: NOT over a guarded comparison matches absent values; ne = NOT(eq).
  ['not (title eq "X")', { NOT: { titleKey: { equals: 'x', not: null } } }],
  ['title ne "X"', { NOT: { titleKey: { equals: 'x', not: null } } }],
  ['title pr', { titleKey: { not: null } }],
  ['not (title pr)', { NOT: { titleKey: { not: null } } }],
  ['title eq null', { NOT: { titleKey: { not: null } } }],
  ['name.familyName co "MC"', { familyNameKey: { contains: 'mc', not: null } }],
  ['name.givenName sw "Jo"', { givenNameKey: { startsWith: 'jo', not: null } }],
  ['nickName ew "Y"', { nickNameKey: { endsWith: 'y', not: null } }],
  ['userName gt "M"', { userNameKey: { gt: 'm' } }],
  ['userName ge "M"', { userNameKey: { gte: 'm' } }],
  ['userName lt "M"', { userNameKey: { lt: 'm' } }],
  ['userName le "M"', { userNameKey: { lte: 'm' } }],
  ['active eq true', { active: { equals: true } }],
  ['active eq "False"', { active: { equals: false } }],
  ['active ne true', { NOT: { active: { equals: true } } }],
  ['meta.created gt "2024-01-01T00:00:00Z"', { createdAt: { gt: new Date('2024-01-01T00:00:00Z') } }],
  ['meta.lastModified le "2024-01-01T00:00:00Z"', { updatedAt: { lte: new Date('2024-01-01T00:00:00Z') } }],
  ['meta.resourceType eq "User"', {}],
  ['meta.resourceType eq "Group"', { id: { in: [] } }],
  ['meta.resourceType eq "Group" or userName eq "a"', { userNameKey: { equals: 'a' } }],
  [
    'emails[type eq "work" and value co "@Contoso"]',
    { values: { some: { attr: 'emails', AND: [{ typeKey: { equals: 'work', not: null } }, { valueKey: { contains: '@contoso', not: null } }] } } },
  ],
  [
    'emails[type eq "work"].value eq "A@x"',
    { values: { some: { attr: 'emails', AND: [{ typeKey: { equals: 'work', not: null } }, { valueKey: { equals: 'a@x', not: null } }] } } },
  ],
  ['emails.primary eq "True"', EMAIL({ primary: { equals: true } })],
  ['emails pr', { values: { some: { attr: 'emails' } } }],
  ['not (emails pr)', { NOT: { values: { some: { attr: 'emails' } } } }],
  ['emails.value ne "a@x"', { NOT: EMAIL({ valueKey: { equals: 'a@x', not: null } }) }],
  [
    'phoneNumbers[type eq "mobile"].value eq "+31 6"',
    { values: { some: { attr: 'phoneNumbers', AND: [{ typeKey: { equals: 'mobile', not: null } }, { valueKey: { equals: '+31 6', not: null } }] } } },
  ],
  ['addresses.postalCode sw "10"', { values: { some: { attr: 'addresses', AND: [{ postalCodeKey: { startsWith: '10', not: null } }] } } }],
  ['emails[not (type eq "work")]', { values: { some: { attr: 'emails', AND: [{ NOT: { typeKey: { equals: 'work', not: null } } }] } } }],
  ['groups eq "G1"', { memberships: { some: { groupId: { equals: 'G1' } } } }],
  ['groups.value eq "G1"', { memberships: { some: { groupId: { equals: 'G1' } } } }],
  ['groups.display eq "Eng"', { memberships: { some: { group: { displayNameKey: { equals: 'eng' } } } } }],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Retail"', { departmentKey: { equals: 'retail', not: null } }],
  ['department eq "Retail"', { departmentKey: { equals: 'retail', not: null } }],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "A"', { userNameKey: { equals: 'a' } }],
  ['USERNAME eq "A"', { userNameKey: { equals: 'a' } }],
  ['externalId eq 123', { externalId: { equals: '123', not: null } }],
  [
    'userName eq "a" or userName eq "b" or userName eq "c"',
    { OR: [{ userNameKey: { equals: 'a' } }, { userNameKey: { equals: 'b' } }, { userNameKey: { equals: 'c' } }] },
  ],
];

t.test('userWhere', async (t) => {
  for (const [f, want] of userCases) t.same(userWhere(parseFilter(f)), want, f);
});

const groupCases: [string, object][] = [
  ['displayName eq "Engineering 1"', { displayNameKey: { equals: 'engineering 1' } }],
  ['externalId eq "X"', { externalId: { equals: 'X', not: null } }],
  [
    'id eq "g1" and members eq "u1"',
    { AND: [{ id: { equals: 'g1' } }, { members: { some: { OR: [{ userId: { equals: 'u1', not: null } }, { memberGroupId: { equals: 'u1', not: null } }] } } }] },
  ],
  ['members.value eq "u1"', { members: { some: { OR: [{ userId: { equals: 'u1', not: null } }, { memberGroupId: { equals: 'u1', not: null } }] } } }],
  ['members[value eq "u1"]', { members: { some: { OR: [{ userId: { equals: 'u1', not: null } }, { memberGroupId: { equals: 'u1', not: null } }] } } }],
  ['members pr', { members: { some: {} } }],
  ['not (members pr)', { NOT: { members: { some: {} } } }],
  ['members.type eq "Group"', { members: { some: { memberGroupId: { not: null } } } }],
  ['meta.resourceType eq "Group"', {}],
];

t.test('groupWhere', async (t) => {
  for (const [f, want] of groupCases) t.same(groupWhere(parseFilter(f)), want, f);
});

t.test('unsupported attribute/operator pairs are invalidFilter', async (t) => {
  const user = [
    'nickNameXyz eq "x"', // fixture I11
    'name eq "x"',
    'active gt true',
    'active co "t"',
    'active eq "maybe"',
    'meta.created eq "not a date"',
    'meta.created co "2024"',
    'meta.location eq "x"',
    'meta eq "x"',
    'x509Certificates.value eq "x"',
    'manager.displayName eq "x"',
    'groups.type eq "direct"',
    'userName eq true',
    'userName.sub eq "x"',
    'urn:example:unknown:attr eq "x"',
    'title[value eq "x"]',
    'emails[nope eq "x"]',
    'emails.nope eq "x"',
    'schemas eq "x"',
    'meta.resourceType co "U"',
  ];
  for (const f of user) t.equal(scimType(() => userWhere(parseFilter(f))), 'invalidFilter', f);
  for (const f of ['userName eq "x"', 'members.nope eq "x"', 'members.type co "U"', 'emails[type eq "x"]']) {
    t.equal(scimType(() => groupWhere(parseFilter(f))), 'invalidFilter', f);
  }
});

t.test('orderBy: default, mapped columns, stable id tiebreak, unknown → invalidValue', async (t) => {
  t.same(userOrderBy(undefined, undefined), [{ createdAt: 'asc' }, { id: 'asc' }]);
  t.same(userOrderBy('userName', 'descending'), [{ userNameKey: 'desc' }, { id: 'asc' }]);
  t.same(userOrderBy('name.familyName', 'ascending'), [{ familyNameKey: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }]);
  t.same(userOrderBy('meta.lastModified', undefined), [{ updatedAt: 'asc' }, { id: 'asc' }]);
  t.same(userOrderBy('id', 'descending'), [{ id: 'desc' }]);
  t.same(groupOrderBy('DISPLAYNAME', 'Ascending'), [{ displayNameKey: 'asc' }, { id: 'asc' }]);
  t.same(groupOrderBy(undefined, undefined), [{ createdAt: 'asc' }, { id: 'asc' }]);
  for (const s of ['emails', 'groups', 'nope', 'name', 'meta.resourceType', 'a.b.c']) t.equal(scimType(() => userOrderBy(s, undefined)), 'invalidValue', s);
  t.equal(scimType(() => groupOrderBy('members', undefined)), 'invalidValue');
  t.equal(scimType(() => userOrderBy('userName', 'sideways')), 'invalidValue');
});

t.test('key lookups: the Entra equality shapes take the indexed fast path, nothing else does', async (t) => {
  const col = (column: string, value: string) => ({ kind: 'column', column, value });
  const val = (attr: string, valueKey: string, typeKey?: string) => ({ kind: 'value', attr, valueKey, ...(typeKey !== undefined ? { typeKey } : {}) });
  const cases: [string, object | null][] = [
    ['userName eq "Alice@Contoso.com"', col('userNameKey', 'alice@contoso.com')],
    ['USERNAME EQ "Bob"', col('userNameKey', 'bob')],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "X"', col('userNameKey', 'x')],
    ['externalId eq "AbC-1"', col('externalId', 'AbC-1')],
    ['id eq "5C2A-b"', col('id', '5C2A-b')],
    ['emails[type eq "work"].value eq "Ann@X.com"', val('emails', 'ann@x.com', 'work')],
    ['emails[value eq "Ann@X.com" and TYPE eq "Work"]', val('emails', 'ann@x.com', 'work')],
    ['emails[value eq "a@x"]', val('emails', 'a@x')],
    ['emails.value eq "A@x"', val('emails', 'a@x')],
    ['Emails eq "A@x"', val('emails', 'a@x')],
    ['phoneNumbers[type eq "mobile"].value eq "+1 555"', val('phoneNumbers', '+1 555', 'mobile')],
    ['roles.value eq "Admin"', val('roles', 'admin')],
    ['userName ne "x"', null],
    ['userName co "x"', null],
    ['userName eq null', null],
    ['userName eq 12', null],
    ['displayName eq "x"', null],
    ['userName eq "x" and active eq true', null],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "x"', null],
    ['name.givenName eq "x"', null],
    ['emails.type eq "work"', null],
    ['emails[type eq "work"]', null],
    ['emails[type eq "work" or value eq "x"]', null],
    ['emails[type eq "work" and value co "x"]', null],
    ['emails[primary eq true and value eq "x"]', null],
    ['addresses.value eq "x"', null],
    ['x509Certificates.value eq "x"', null],
    ['emails.value ne "x"', null],
  ];
  for (const [filter, want] of cases) t.same(userKeyLookup(parseFilter(filter)), want, filter);
});
