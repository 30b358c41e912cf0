// The change summary itself (pure): which attribute paths a PATCH/PUT changed and how they read,
// credentials masked, every bound held.
import t from 'tap';
import { diffDocuments, groupChangeSummary, groupReplaceSummary, MAX_ATTRIBUTES, MAX_MEMBER_IDS, MAX_VALUE_CHARS, secretsInBody, secretsInPatch, userChangeSummary } from '../src/scim/change-summary.ts';
import { changeLines, memberLine, parseChanges } from '../src/activity/changes.ts';
import { parsePatchRequest } from '../src/scim/patch/request.ts';
import { prng } from './helpers/scim.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

t.test('typed elements by their value path, nested attributes dotted, extension attributes by URN', async (t) => {
  const before = {
    userName: 'jane@acme.test',
    active: true,
    name: { givenName: 'Jane', familyName: 'Smith' },
    emails: [{ type: 'work', value: 'jane@acme.test', primary: true }, { type: 'home', value: 'j@home.test' }],
    [ENT]: { department: 'Sales', manager: { value: 'm-1' } },
  };
  const after = {
    userName: 'jane@acme.test',
    active: false,
    name: { givenName: 'Jane', familyName: 'Smyth' },
    emails: [{ type: 'work', value: 'jane.smyth@acme.test', primary: true }],
    [ENT]: { department: 'Sales', manager: { value: 'm-2' } },
    title: 'Engineer',
  };
  t.same(changeLines(userChangeSummary(before, after)), [
    'active: true → false',
    'name.familyName: Smith → Smyth',
    'emails[type eq "work"].value: jane@acme.test → jane.smyth@acme.test',
    'emails[type eq "home"].value: j@home.test → (empty)',
    `${ENT}:manager.value: m-1 → m-2`,
    'title: (empty) → Engineer',
  ]);
  t.same(diffDocuments(before, before), [], 'an identical document changes nothing');
  t.same(changeLines(userChangeSummary(before, before)), ['nothing changed']);
});

t.test('shape changes: typed list to untyped, attribute added or removed whole, type case', async (t) => {
  t.same(
    diffDocuments({ emails: [{ type: 'work', value: 'a@x.test' }] }, { emails: [{ value: 'a@x.test' }] }),
    [{ path: 'emails', to: 'a@x.test' }, { path: 'emails[type eq "work"].value', from: 'a@x.test' }],
  );
  t.same(diffDocuments({ name: { givenName: 'A' } }, {}), [{ path: 'name.givenName', from: 'A' }]);
  t.same(diffDocuments({}, { addresses: [{ type: 'work', locality: 'Oslo' }] }), [{ path: 'addresses[type eq "work"].locality', to: 'Oslo' }]);
  t.same(diffDocuments({ emails: [{ type: 'Work', value: 'a' }] }, { emails: [{ type: 'work', value: 'a' }] }), [], 'type matched case-insensitively');
  t.same(diffDocuments({ emails: [] }, { emails: [{ value: 'a' }] }), [{ path: 'emails', to: 'a' }]);
});

t.test('elements that share or lack a type are shown as one list', async (t) => {
  const c = diffDocuments({ emails: [{ value: 'a@x.test' }] }, { emails: [{ value: 'a@x.test' }, { value: 'b@x.test', type: 'work' }] });
  t.same(c, [{ path: 'emails', from: 'a@x.test', to: 'a@x.test, b@x.test (work)' }]);
});

t.test('credentials: never a value, only that they were set', async (t) => {
  const ops = parsePatchRequest({
    schemas: [PATCH],
    Operations: [
      { op: 'replace', value: { password: 'Tr0ub4dor&3-hunter2', displayName: 'Jane' } },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'x' },
      { op: 'remove', path: 'password' },
    ],
  });
  t.same(secretsInPatch(ops), ['password', 'password'], 'path-less keys and URN paths; remove sets nothing');
  const s = userChangeSummary({ userName: 'a' }, { userName: 'a', displayName: 'Jane' }, secretsInPatch(ops));
  t.same(changeLines(s), ['displayName: (empty) → Jane', 'password: changed'], 'named once');
  t.notMatch(JSON.stringify(s), /hunter2/);
  t.same(secretsInBody({ userName: 'a', Password: 'p', clientSecret: '', other: 1 }), ['Password'], 'empty values set nothing');
  // A stored attribute whose name says it is a credential (a custom mapping) is masked too.
  const stored = diffDocuments({ [ENT]: { employeeNumber: '1' }, custom: { apiSecret: 'old-s3cret' } }, { custom: { apiSecret: 'new-s3cret' } });
  t.same(stored, [{ path: 'custom.apiSecret', secret: true }, { path: `${ENT}:employeeNumber`, from: '1' }]);
  t.notMatch(JSON.stringify(stored), /s3cret/);
});

t.test('bounds: attribute count, value length, member ids', async (t) => {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (let i = 0; i < MAX_ATTRIBUTES + 7; i++) after[`attr${i}`] = `v${i}`;
  after.long = 'x'.repeat(5000);
  before.long = 'y';
  const s = userChangeSummary(before, after);
  t.equal(s.attributes.length, MAX_ATTRIBUTES);
  t.equal(s.more, 8);
  t.equal(changeLines(s).at(-1), 'and 8 more');
  const long = diffDocuments({ a: 'y' }, { a: 'x'.repeat(5000) })[0];
  t.equal(long.to!.length, MAX_VALUE_CHARS);
  t.ok(long.to!.endsWith('…'));
  const list = diffDocuments({}, { emails: Array.from({ length: 1000 }, (_, i) => ({ value: `user${i}@example.test` })) })[0];
  t.ok(list.to!.length <= MAX_VALUE_CHARS, 'a long list is cut too');
  t.ok(JSON.stringify(s).length < 12_000, 'a row stays small');

  const ids = Array.from({ length: 50 }, (_, i) => ({ value: `id-${i}` }));
  const g = groupChangeSummary({ displayName: 'Eng' }, { displayName: 'Engineering' }, [{ op: 'add', members: ids }, { op: 'remove', values: ['id-x'] }]);
  t.equal(g.members!.added, 50);
  t.equal(g.members!.addedIds.length, MAX_MEMBER_IDS);
  t.same(changeLines(g), [
    'displayName: Eng → Engineering',
    'members +50 −1 (added: id-0, id-1, id-2, id-3, id-4, id-5, id-6, id-7, id-8, id-9 and 40 more; removed: id-x)',
  ]);
});

t.test('member lines', async (t) => {
  const names = (id: string) => ({ a: 'alice', b: 'bob' })[id] ?? id;
  t.equal(memberLine({ added: 2, removed: 0, addedIds: ['a', 'zz'], removedIds: [] }, names), 'members +2 (added: alice, zz)');
  t.equal(memberLine({ added: 0, removed: 0, addedIds: [], removedIds: [], removedAll: true }), 'members all removed');
  t.equal(memberLine({ added: 0, removed: 0, addedIds: [], removedIds: [], removedByFilter: true }), 'members − matching a filter');
  t.same(changeLines(groupReplaceSummary({ displayName: 'A' }, { displayName: 'A' }, 1)), ['members set to 1 member']);
  t.equal(parseChanges('not json'), null);
  t.equal(parseChanges(null), null);
  t.same(parseChanges(JSON.stringify({ attributes: [], more: 0 })), { attributes: [], more: 0 });
});

t.test('seeded random documents: never throws, secrets never valued, bounds hold, a document equals itself', async (t) => {
  const rnd = prng(20261129);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const MARK = 'MARK-s3cr3t';
  const keys = ['userName', 'title', 'name', 'emails', 'password', 'active', 'addresses', ENT, 'x', 'clientSecret'];
  function value(depth: number, key: string): unknown {
    if (/password|secret/i.test(key)) return `${MARK}${Math.floor(rnd() * 3)}`;
    const r = rnd();
    if (depth > 2 || r < 0.4) return pick<unknown>(['a', 'b', 'x'.repeat(300), true, false, 7, null, '']);
    if (r < 0.7) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 3; i++) {
        const k = pick(keys);
        o[k] = value(depth + 1, k);
      }
      return o;
    }
    return Array.from({ length: Math.floor(rnd() * 4) }, () => (rnd() < 0.6 ? { type: pick(['work', 'home', 'Work']), value: value(depth + 1, 'value') } : pick(['a', 'b'])));
  }
  const doc = () => {
    const d: Record<string, unknown> = {};
    for (let i = 0; i < 6; i++) {
      const k = pick(keys);
      d[k] = value(0, k);
    }
    return d;
  };
  let changed = 0;
  for (let i = 0; i < 400; i++) {
    const a = doc();
    const b = rnd() < 0.2 ? structuredClone(a) : doc();
    const s = userChangeSummary(a, b, ['password']);
    const json = JSON.stringify(s);
    if (json.includes(MARK)) t.fail(`secret value leaked: ${json}`);
    if (s.attributes.length > MAX_ATTRIBUTES || s.attributes.some((c) => (c.from?.length ?? 0) > MAX_VALUE_CHARS || (c.to?.length ?? 0) > MAX_VALUE_CHARS)) t.fail('bound exceeded');
    if (diffDocuments(a, structuredClone(a)).length !== 0) t.fail(`a document differs from its copy: ${JSON.stringify(a)}`);
    changed += s.attributes.length;
  }
  t.ok(changed > 400, 'the documents did differ');
});
