// Every filter the parser accepts either answers with exactly the resources RFC 7644 §3.4.2.2
// selects (checked against an independent evaluator, helpers/filter-oracle.ts) or is refused with
// 400 invalidFilter on purpose: a grid of attribute × operator × negation for Users and Groups,
// over real HTTP, on whichever database the run uses (SQLite, or PostgreSQL with
// TEST_DATABASE_URL). A filter Prisma cannot express used to surface as a validation error
// (members.display compared a NOT NULL column with `not: null`).
import t, { type Test } from 'tap';
import { scimServer, userBody, groupBody, type ScimClient, type ScimResponse } from './helpers/scim.ts';
import { ENTERPRISE, oracle } from './helpers/filter-oracle.ts';
import { parseFilter } from '../src/scim/filter/parse.ts';
import type { CompareOp } from '../src/scim/filter/ast.ts';

const OPS: (CompareOp | 'pr')[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];
type Kind = 'string' | 'exact' | 'boolean' | 'date' | 'memberType' | 'const';

/** Operators a kind refuses with invalidFilter (booleans: eq/ne; dateTimes and case-exact ids:
 * no substrings). */
function refused(kind: Kind, op: CompareOp | 'pr'): boolean {
  if (op === 'pr' || op === 'eq' || op === 'ne') return false;
  if (kind === 'boolean' || kind === 'memberType' || kind === 'const') return true;
  return (kind === 'date' || kind === 'exact') && (op === 'co' || op === 'sw' || op === 'ew');
}

const quote = (v: string | boolean) => (typeof v === 'boolean' ? String(v) : JSON.stringify(v));

function filtersFor(path: string, kind: Kind, operands: (string | boolean)[]): { filter: string; refuse: boolean }[] {
  const out: { filter: string; refuse: boolean }[] = [];
  for (const op of OPS) {
    // Every operand for equality, the first for ordering and substrings (the grid stays small).
    for (const v of op === 'pr' ? [''] : op === 'eq' || op === 'ne' ? operands : operands.slice(0, 1)) {
      const base = op === 'pr' ? `${path} pr` : `${path} ${op} ${quote(v)}`;
      const refuse = refused(kind, op);
      out.push({ filter: base, refuse });
      // `ne` is checked as the negation of `eq` already; a refused filter is refused negated too.
      if (op !== 'ne' && !refuse) out.push({ filter: `not (${base})`, refuse });
    }
  }
  return out;
}

async function all(scim: ScimClient, type: 'Users' | 'Groups'): Promise<Record<string, unknown>[]> {
  const list = (await scim.req('GET', `/${type}?count=1000`)).json.Resources as { id: string }[];
  return Promise.all(list.map(async (r) => (await scim.req('GET', `/${type}/${r.id}`)).json));
}

async function check(t: Test, scim: ScimClient, type: 'Users' | 'Groups', resources: Record<string, unknown>[], cases: { filter: string; refuse: boolean }[]) {
  let failures = 0;
  // Eight requests in flight: the answers are compared one by one, in order, after each batch.
  const responses: ScimResponse[] = [];
  for (let i = 0; i < cases.length; i += 8) {
    const batch = cases.slice(i, i + 8).map(({ filter }) => scim.req('GET', `/${type}?count=1000&attributes=id&filter=${encodeURIComponent(filter)}`));
    responses.push(...(await Promise.all(batch)));
  }
  for (const [i, { filter, refuse }] of cases.entries()) {
    const r = responses[i];
    if (refuse) {
      if (r.status !== 400 || r.json?.scimType !== 'invalidFilter') failures++, t.fail(`${filter}: want 400 invalidFilter, got ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    if (r.status !== 200) {
      failures++;
      t.fail(`${filter}: want 200, got ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    const got = (r.json.Resources as { id: string }[]).map((x) => x.id).sort();
    const want = oracle(parseFilter(filter), resources);
    if (JSON.stringify(got) !== JSON.stringify(want)) failures++, t.same(got, want, filter);
  }
  t.equal(failures, 0, `${cases.length} ${type} filters answered as RFC 7644 §3.4.2.2 selects`);
}

t.test('filter grid: attribute × operator × negation, Users and Groups', async (t) => {
  // Hundreds of requests in a few seconds: the per-tenant rate limit would answer 429.
  const { a } = await scimServer(t, { SCIM_RATE_LIMIT: 'off' });
  const scim = a.scim;
  const post = async (path: string, body: object) => {
    const r = await scim.req('POST', path, body);
    t.equal(r.status, 201, `POST ${path}`);
    return r.json.id as string;
  };
  const bob = await post('/Users', userBody('bob', {
    active: false, title: 'Dev', name: { givenName: 'Bob' },
    emails: [{ value: 'bob@x.test', type: 'work' }],
    [ENTERPRISE]: { department: 'ops', employeeNumber: '200' },
  }));
  const alice = await post('/Users', userBody('alice', {
    displayName: 'Alice A', nickName: 'ally', title: 'dev', userType: 'Employee', locale: 'de-DE', externalId: 'Ext-1',
    name: { givenName: 'Alice', familyName: 'Anders', formatted: 'Alice Anders' },
    emails: [{ value: 'alice@x.test', type: 'work', primary: true }, { value: 'a2@y.test', type: 'home', display: 'Home mail' }],
    phoneNumbers: [{ value: '555-1', type: 'mobile' }],
    addresses: [{ country: 'DE', locality: 'Berlin', type: 'work' }],
    [ENTERPRISE]: { department: 'R and D', employeeNumber: '100', costCenter: 'cc1', manager: { value: bob } },
  }));
  const carol = await post('/Users', userBody('carol', {
    displayName: 'carol', roles: [{ value: 'admin', type: 'main' }], externalId: 'ext-1', [ENTERPRISE]: { manager: { value: bob } },
  }));
  await post('/Users', userBody('dave', { emails: [{ value: 'dave@y.test' }], ims: [{ value: 'dave.im', type: 'xmpp' }], nickName: 'Dave' }));
  const admins = await post('/Groups', groupBody('Admins', { externalId: 'G-1', members: [{ value: alice }, { value: bob }] }));
  await post('/Groups', groupBody('Devs', { members: [{ value: carol }, { value: admins }] }));
  await post('/Groups', groupBody('Empty', { externalId: 'g-1' }));
  await post('/Groups', groupBody('Bobs', { members: [{ value: bob }] }));

  const users = await all(scim, 'Users');
  const groups = await all(scim, 'Groups');
  const created = String((users[1].meta as { created: string }).created);

  const userPaths: [string, Kind, (string | boolean)[]][] = [
    ['userName', 'string', ['alice', 'CAROL', 'b']],
    ['displayName', 'string', ['Alice A', 'carol', 'a']],
    ['nickName', 'string', ['ally', 'dave']],
    ['title', 'string', ['dev', 'DEV']],
    ['userType', 'string', ['employee']],
    ['locale', 'string', ['de-de']],
    ['id', 'exact', [alice, alice.toUpperCase()]],
    ['externalId', 'exact', ['Ext-1', 'ext-1', 'EXT']],
    ['active', 'boolean', [true, false]],
    ['name.givenName', 'string', ['alice', 'B']],
    ['name.familyName', 'string', ['anders']],
    ['name.formatted', 'string', ['alice anders']],
    ['name', 'string', []],
    ['emails', 'string', ['alice@x.test', 'BOB@x.test']],
    ['emails.value', 'string', ['alice@x.test', '@y.test', 'x']],
    ['emails.type', 'string', ['work', 'home']],
    ['emails.display', 'string', ['home mail']],
    ['emails.primary', 'boolean', [true, false]],
    ['phoneNumbers.value', 'string', ['555-1']],
    ['phoneNumbers.type', 'string', ['mobile']],
    ['ims.value', 'string', ['dave.im']],
    ['roles.value', 'string', ['ADMIN']],
    ['roles.type', 'string', ['main']],
    ['addresses.country', 'string', ['de']],
    ['addresses.locality', 'string', ['berlin']],
    ['addresses.type', 'string', ['work']],
    ['groups', 'exact', [admins]],
    ['groups.value', 'exact', [admins, admins.toUpperCase()]],
    ['groups.display', 'string', ['admins', 'DEVS', 'bo']],
    ['meta.created', 'date', [created]],
    ['meta.lastModified', 'date', [created]],
    ['meta.resourceType', 'const', ['User', 'Group']],
    [`${ENTERPRISE}:department`, 'string', ['ops', 'r and d']],
    ['employeeNumber', 'string', ['100', '2']],
    ['costCenter', 'string', ['CC1']],
    [`${ENTERPRISE}:manager`, 'exact', [bob, bob.toUpperCase()]],
    ['manager.value', 'exact', [bob]],
  ];
  const userCases = userPaths.flatMap(([p, k, v]) => (p === 'name' ? [{ filter: 'name pr', refuse: false }, { filter: 'not (name pr)', refuse: false }] : filtersFor(p, k, v)));
  // Value paths: one element must satisfy the whole inner filter.
  for (const [attr, subs] of [['emails', ['value', 'type', 'display']], ['addresses', ['country', 'type']], ['groups', ['value', 'display']]] as const) {
    for (const sub of subs) {
      const v = sub === 'value' && attr === 'groups' ? admins : sub === 'type' ? 'work' : sub === 'country' ? 'de' : sub === 'display' ? 'admins' : 'alice@x.test';
      for (const op of ['eq', 'ne', 'co', 'pr'] as const) {
        const inner = op === 'pr' ? `${sub} pr` : `${sub} ${op} "${v}"`;
        const refuse = op === 'co' && attr === 'groups' && sub === 'value';
        for (const f of [`${attr}[${inner}]`, `${attr}[not (${inner})]`, `not (${attr}[${inner}])`]) userCases.push({ filter: f, refuse });
      }
    }
  }
  userCases.push(
    { filter: 'emails[type eq "work" and primary eq true]', refuse: false },
    { filter: 'emails[type eq "work" and not (primary eq true)]', refuse: false },
    { filter: 'emails[primary ne true]', refuse: false },
    { filter: 'title ne "dev" and not (emails.type ne "work")', refuse: false },
    { filter: 'userName eq "alice" or not (groups pr)', refuse: false },
    { filter: 'not (emails pr) or emails.type ne "home"', refuse: false },
  );
  await check(t, scim, 'Users', users, userCases);

  const groupPaths: [string, Kind, string[]][] = [
    ['displayName', 'string', ['admins', 'E', 'devs']],
    ['externalId', 'exact', ['G-1', 'g-1']],
    ['id', 'exact', [admins]],
    ['members', 'exact', [bob]],
    ['members.value', 'exact', [bob, admins, bob.toUpperCase()]],
    ['members.display', 'string', ['Alice A', 'admins', 'x', 'a']],
    ['members.type', 'memberType', ['User', 'group', 'Other']],
    ['meta.created', 'date', [created]],
    ['meta.resourceType', 'const', ['Group']],
  ];
  const groupCases = groupPaths.flatMap(([p, k, v]) => filtersFor(p, k, v));
  for (const sub of ['value', 'display', 'type']) {
    const v = sub === 'value' ? bob : sub === 'type' ? 'Group' : 'carol';
    for (const op of ['eq', 'ne', 'pr'] as const) {
      const inner = op === 'pr' ? `${sub} pr` : `${sub} ${op} "${v}"`;
      for (const f of [`members[${inner}]`, `members[not (${inner})]`, `not (members[${inner}])`]) groupCases.push({ filter: f, refuse: false });
    }
  }
  groupCases.push(
    { filter: 'members[type eq "User" and display ne "alice a"]', refuse: false },
    { filter: 'members[type eq "Group" or display eq "carol"]', refuse: false },
    { filter: 'displayName sw "d" and not (members.display ne "x")', refuse: false },
  );
  await check(t, scim, 'Groups', groups, groupCases);
});
