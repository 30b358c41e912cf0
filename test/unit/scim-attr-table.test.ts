// The attribute table (src/scim/resources/attributes.ts) drives discovery, the stored columns,
// filtering, sorting and key lookups. Every row is checked here against each of them, so a row
// added to the table is tested by this file without a new case; /Schemas is pinned byte for byte.
import t from 'tap';
import fs from 'node:fs';
import { Prisma } from '../../src/db/generated/client.ts';
import { GROUP_ROWS, USER_ROWS, type AttrRow } from '../../src/scim/resources/attributes.ts';
import { schemas } from '../../src/scim/resources/discovery.ts';
import { userIndex } from '../../src/scim/resources/user.ts';
import { groupIndex } from '../../src/scim/resources/group.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { groupWhere, groupOrderBy, userWhere, userOrderBy } from '../../src/scim/filter/to-where.ts';
import { userKeyLookup } from '../../src/scim/filter/key-lookup.ts';
import { scimType } from '../helpers/scim-type.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const columnsOf = (e: object) => new Set(Object.values(e) as string[]);
const USER_COLS = columnsOf(Prisma.ScimUserScalarFieldEnum);
const GROUP_COLS = columnsOf(Prisma.ScimGroupScalarFieldEnum);
const VALUE_COLS = columnsOf(Prisma.ScimUserValueScalarFieldEnum);
const MEMBER_COLS = columnsOf(Prisma.ScimMemberScalarFieldEnum);

/** The filter path of a row: enterprise rows qualified by their URN. */
const pathOf = (r: AttrRow) => (r.schema === 'enterprise' ? `${ENT}:${r.path}` : r.path);
const operand = (r: AttrRow) => (r.type === 'boolean' ? 'true' : r.type === 'dateTime' ? '"2024-01-02T03:04:05Z"' : '"Ab"');
const leafKinds = new Set(['column', 'server', 'valueColumn', 'member', 'memberType', 'resourceType']);

t.test('/Schemas is byte-identical to the pinned documents', async (t) => {
  const pinned = fs.readFileSync(new URL('../fixtures/scim-schemas.json', import.meta.url), 'utf8');
  t.equal(JSON.stringify(schemas('https://scim.example.test/scim/v2'), null, 2) + '\n', pinned);
});

t.test('every stored column exists in the Prisma schema', async (t) => {
  for (const r of [...USER_ROWS, ...GROUP_ROWS]) {
    const s = r.storage;
    const own = r.resource === 'User' ? USER_COLS : GROUP_COLS;
    if (s.kind === 'column' || s.kind === 'server') t.ok(own.has(s.column), `${r.resource}.${r.path} → ${s.column}`);
    if (s.kind === 'valueColumn') t.ok(VALUE_COLS.has(s.column), `${r.path} → ScimUserValue.${s.column}`);
    if (s.kind === 'member') for (const side of s.sides) t.ok(side.via ? true : MEMBER_COLS.has(side.column), `${r.path} → ScimMember.${side.column}`);
    if (s.kind === 'memberType') for (const c of Object.values(s.byType)) t.ok(MEMBER_COLS.has(c), `${r.path} → ScimMember.${c}`);
  }
});

t.test('filterable rows translate, the others are invalidFilter', async (t) => {
  for (const [rows, where] of [[USER_ROWS, userWhere], [GROUP_ROWS, groupWhere]] as const) {
    for (const r of rows) {
      if (!leafKinds.has(r.storage.kind)) continue;
      const f = `${pathOf(r)} eq ${operand(r)}`;
      if (!r.filterable) {
        t.equal(scimType(() => where(parseFilter(f))), 'invalidFilter', `${f}: not filterable`);
        continue;
      }
      const w = JSON.stringify(where(parseFilter(f)));
      const s = r.storage;
      const column = s.kind === 'column' || s.kind === 'server' || s.kind === 'valueColumn' ? s.column : s.kind === 'member' ? s.sides[0].column : undefined;
      if (column) t.match(w, `"${column}"`, `${f} compares ${column}`);
      if (s.kind === 'column' && r.type === 'string') t.match(w, r.caseExact ? '"Ab"' : '"ab"', `${f}: caseExact ${r.caseExact}`);
      if (s.kind === 'valueColumn') t.match(w, `"attr":"${r.parent}"`, `${f}: one ${r.parent} element`);
    }
  }
});

t.test('sortable rows order by their column, the others are invalidValue', async (t) => {
  for (const [rows, orderBy] of [[USER_ROWS, userOrderBy], [GROUP_ROWS, groupOrderBy]] as const) {
    for (const r of rows) {
      const s = r.storage;
      if (s.kind === 'complex') continue;
      if (r.sortable && (s.kind === 'column' || s.kind === 'server')) t.match(JSON.stringify(orderBy(pathOf(r), 'descending')), `"${s.column}"`, `sortBy=${r.path}`);
      else t.equal(scimType(() => orderBy(pathOf(r), undefined)), 'invalidValue', `sortBy=${r.path} refused`);
    }
  }
});

t.test('a complex attribute sorts as its value sub-attribute, when it has one', async (t) => {
  t.same(userOrderBy('manager', undefined), [{ managerId: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }]);
  for (const s of ['name', 'meta']) t.equal(scimType(() => userOrderBy(s, undefined)), 'invalidValue', s);
});

t.test('every document-derived column is derived by the index function', async (t) => {
  for (const r of USER_ROWS) {
    const s = r.storage;
    if (s.kind !== 'column' && s.kind !== 'valueColumn') continue;
    const sent = r.type === 'boolean' ? (s.kind === 'column' ? false : true) : 'Ab';
    const leafDoc = r.parent && s.kind === 'valueColumn' ? { [r.parent]: [{ [r.name]: sent }] } : r.parent ? { [r.parent]: { [r.name]: sent } } : { [r.name]: sent };
    const doc = { userName: 'u', ...(r.schema === 'enterprise' ? { [ENT]: leafDoc } : leafDoc) };
    const want = typeof sent === 'boolean' ? sent : r.caseExact ? 'Ab' : 'ab';
    const idx = userIndex(doc);
    const got = s.kind === 'column' ? idx.columns[s.column] : idx.values[0]?.[s.column];
    t.equal(got, want, `${r.path} → ${s.column}`);
  }
  t.strictSame(groupIndex({ displayName: 'Eng', externalId: 'X' }), { displayNameKey: 'eng', externalId: 'X' });
  t.strictSame(userIndex({ userName: 'u' }).columns.active, true, 'absent active is stored as active');
});

t.test('matching rows take the key lookup', async (t) => {
  for (const r of USER_ROWS.filter((x) => x.matching)) {
    const s = r.storage;
    const column = s.kind === 'column' || s.kind === 'server' ? s.column : undefined;
    t.same(userKeyLookup(parseFilter(`${r.path} eq "Ab"`)), { kind: 'column', column, value: r.caseExact ? 'Ab' : 'ab' }, r.path);
  }
  t.same(USER_ROWS.filter((x) => x.matching).map((x) => x.path), ['id', 'externalId', 'userName']);
});
