// Filter → Prisma where over a grid of attribute × operator × negation, no database: every filter
// either translates or is refused with invalidFilter (nothing else may escape), a NOT NULL column
// never carries `not: null` (Prisma refuses the query: the members.display bug), and the
// case-exact ids refuse co/sw/ew. test/scim-filter-grid.test.ts runs the same kind of grid
// against a real database and checks the results.
import t from 'tap';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { groupWhere, userWhere } from '../../src/scim/filter/to-where.ts';

const OPS = ['eq "a"', 'ne "a"', 'co "a"', 'sw "a"', 'ew "a"', 'gt "a"', 'ge "a"', 'lt "a"', 'le "a"', 'pr', 'eq true', 'eq null', 'ne null'];
const USER_PATHS = [
  'userName', 'displayName', 'title', 'active', 'id', 'externalId', 'name', 'name.givenName', 'emails', 'emails.value', 'emails.type',
  'emails.primary', 'addresses.country', 'x509Certificates.value', 'groups', 'groups.value', 'groups.display', 'groups.type', 'meta.created',
  'meta.resourceType', 'manager', 'manager.value', 'manager.displayName', 'department', 'nope',
];
const GROUP_PATHS = ['displayName', 'externalId', 'id', 'members', 'members.value', 'members.display', 'members.type', 'members.nope', 'meta.lastModified'];
// NOT NULL columns of ScimUser/ScimGroup/ScimMember and the relations' own NOT NULL columns.
const NOT_NULL = new Set(['userNameKey', 'active', 'createdAt', 'updatedAt', 'id', 'groupId', 'primary']);

function outcome(fn: () => unknown): 'ok' | 'invalidFilter' | string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { scimType?: string }).scimType ?? `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Paths in a where tree whose condition says `not: null` on a NOT NULL column. */
function badGuards(w: unknown, inGroup: boolean, path = ''): string[] {
  if (w === null || typeof w !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(w)) {
    const notNull = v !== null && typeof v === 'object' && 'not' in v && (v as { not: unknown }).not === null;
    const required = NOT_NULL.has(k) || (inGroup && k === 'displayNameKey' && !path.endsWith('.user'));
    if (notNull && required) out.push(`${path}.${k}`);
    out.push(...badGuards(v, inGroup, `${path}.${k}`));
  }
  return out;
}

function grid(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) for (const op of OPS) out.push(`${p} ${op}`, `not (${p} ${op})`);
  for (const sub of ['value', 'display', 'type']) for (const op of OPS) out.push(`members[${sub} ${op}]`, `members[not (${sub} ${op})]`);
  return out;
}

const sides = [
  { name: 'Users', filters: grid(USER_PATHS).filter((x) => !x.includes('members')), where: userWhere, inGroup: false, min: 150 },
  { name: 'Groups', filters: grid(GROUP_PATHS), where: groupWhere, inGroup: true, min: 100 },
] as const;

for (const side of sides) {
  t.test(`${side.name}: every filter translates or is invalidFilter, never a guard Prisma rejects`, async (t) => {
    let translated = 0;
    for (const f of side.filters) {
      const o = outcome(() => side.where(parseFilter(f)));
      t.ok(o === 'ok' || o === 'invalidFilter', `${f}: ${o}`);
      if (o !== 'ok') continue;
      translated++;
      t.same(badGuards(side.where(parseFilter(f)), side.inGroup), [], `${f}: no not-null guard on a NOT NULL column`);
    }
    t.ok(translated > side.min, `${translated} ${side.name} filters translated`);
  });
}

t.test('members.display: the user side is nullable, the group side is not', async (t) => {
  const eq = {
    members: {
      some: { OR: [{ user: { displayNameKey: { equals: 'x', not: null } } }, { memberGroup: { displayNameKey: { equals: 'x' } } }] },
    },
  };
  t.same(groupWhere(parseFilter('members.display eq "X"')), eq);
  t.same(groupWhere(parseFilter('members.display ne "X"')), { NOT: eq });
  t.same(groupWhere(parseFilter('not (members.display eq "X")')), { NOT: eq });
  t.same(groupWhere(parseFilter('members.display pr')), {
    members: { some: { OR: [{ user: { displayNameKey: { not: null } } }, { memberGroupId: { not: null } }] } },
  });
  t.same(userWhere(parseFilter('groups.display pr')), { memberships: { some: {} } });
});

t.test('case-exact ids support equality and ordering, not substrings', async (t) => {
  for (const f of ['id co "a"', 'externalId sw "a"', 'manager ew "a"', 'groups.value co "a"', 'emails[value eq "x"] and groups sw "g"']) {
    t.equal(outcome(() => userWhere(parseFilter(f))), 'invalidFilter', f);
  }
  for (const f of ['members.value co "a"', 'externalId ew "a"', 'id sw "a"']) t.equal(outcome(() => groupWhere(parseFilter(f))), 'invalidFilter', f);
  t.same(userWhere(parseFilter('externalId gt "A"')), { externalId: { gt: 'A', not: null } });
});
