// PATCH engine, table-driven (test/fixtures/scim-patch-user.json: every User PATCH shape of
// entra-cases.json F*/G* plus RFC 7644 §3.5.2 cases), and Group member deltas (H*). No database.
import t from 'tap';
import fs from 'node:fs';
import { parsePatchRequest, applyUserPatch, applyGroupPatch } from '../../src/scim/patch/apply.ts';
import { parsePath } from '../../src/scim/patch/path.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const fx = JSON.parse(fs.readFileSync(new URL('../fixtures/scim-patch-user.json', import.meta.url), 'utf8')) as {
  docs: Record<string, Record<string, unknown>>;
  cases: { id: string; name: string; base: string; Operations: object[]; expect: { doc?: object; error?: string } }[];
};

function errorOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { scimType?: string }).scimType ?? `non-SCIM error: ${(e as Error).message}`;
  }
  return undefined;
}

t.test('User PATCH table', async (t) => {
  t.ok(fx.cases.length >= 50);
  for (const c of fx.cases) {
    const base = structuredClone(fx.docs[c.base]);
    const run = () => applyUserPatch(base, parsePatchRequest({ schemas: [PATCH], Operations: c.Operations }));
    if (c.expect.error) t.equal(errorOf(run), c.expect.error, `${c.id} ${c.name}`);
    else t.strictSame(run(), c.expect.doc, `${c.id} ${c.name}`);
    t.strictSame(base, fx.docs[c.base], `${c.id} leaves its input untouched`);
  }
});

t.test('parsePatchRequest validation', async (t) => {
  t.equal(errorOf(() => parsePatchRequest({ schemas: [PATCH] })), 'invalidSyntax', 'I10: no Operations');
  t.equal(errorOf(() => parsePatchRequest({ schemas: [PATCH], Operations: [] })), 'invalidSyntax');
  t.equal(errorOf(() => parsePatchRequest({ schemas: [PATCH], Operations: 'x' })), 'invalidSyntax');
  t.equal(errorOf(() => parsePatchRequest({ schemas: ['urn:other'], Operations: [{ op: 'add', path: 'title', value: 'x' }] })), 'invalidSyntax');
  t.equal(errorOf(() => parsePatchRequest([])), 'invalidSyntax');
  t.equal(errorOf(() => parsePatchRequest({ Operations: [{ op: 'add', path: 'title' }] })), 'invalidValue', 'add without value');
  t.equal(errorOf(() => parsePatchRequest({ Operations: [{ op: 'add', path: 5, value: 1 }] })), 'invalidSyntax');
  t.equal(errorOf(() => parsePatchRequest({ Operations: [null] })), 'invalidSyntax');
  // Missing schemas tolerated; member names and op case-insensitive (Q1); G01 member order.
  const ops = parsePatchRequest({ operations: [{ OP: 'REPLACE', Path: 'active', Value: 'False' }] });
  t.equal(ops[0].op, 'replace');
  t.same(ops[0].path, { attr: 'active' });
  t.equal(ops[0].value, 'False');
});

t.test('parsePath shapes', async (t) => {
  const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  t.same(parsePath('name.givenName'), { attr: 'name', sub: 'givenName' });
  t.same(parsePath(`${E}:manager`), { uri: E, attr: 'manager' });
  t.same(parsePath(`${E}:manager.value`), { uri: E, attr: 'manager', sub: 'value' });
  t.same(parsePath(E), { uri: E });
  t.same(parsePath('emails[type eq "work"].Value'), { attr: 'emails', sub: 'Value', filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' } });
  t.same(parsePath(`members[value eq "it's \\"x\\""]`), { attr: 'members', filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: `it's "x"` } });
  for (const bad of ['', ' ', 'a[b[c eq 1]]', 'emails[]', 'emails[type eq "w"', 'emails[type eq "w"]x', 'name.a.b', '1abc', 'emails[type zz "w"]', 'a b']) {
    t.equal(errorOf(() => parsePath(bad)), 'invalidPath', JSON.stringify(bad));
  }
});

const G = { displayName: 'Engineering', externalId: 'g-ext' };
const groupCases: { id: string; ops: object[]; doc?: object; changes?: object[]; error?: string }[] = [
  { id: 'H08 add member, $ref null', ops: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }] }], changes: [{ op: 'add', members: [{ value: 'u1' }] }] },
  { id: 'H09 add two members', ops: [{ op: 'add', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] }], changes: [{ op: 'add', members: [{ value: 'u2' }, { value: 'u3' }] }] },
  { id: 'add dedupes within a request value', ops: [{ op: 'add', path: 'members', value: [{ value: 'u2' }, { value: 'u2', type: 'user' }] }], changes: [{ op: 'add', members: [{ value: 'u2' }] }] },
  { id: 'add typed member and $ref to a group', ops: [{ op: 'add', path: 'members', value: [{ value: 'g2', $ref: 'https://x/scim/v2/Groups/g2' }, { value: 'u5', type: 'User' }] }], changes: [{ op: 'add', members: [{ value: 'g2', type: 'Group' }, { value: 'u5', type: 'User' }] }] },
  { id: 'H14 remove listed member only (Q8)', ops: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u2' }] }], changes: [{ op: 'remove', values: ['u2'] }] },
  { id: 'H16 remove by value filter (Q9)', ops: [{ op: 'remove', path: 'members[value eq "u3"]' }], changes: [{ op: 'remove', values: ['u3'] }] },
  { id: 'remove by or of values', ops: [{ op: 'remove', path: 'members[value eq "a" or value eq "b"]' }], changes: [{ op: 'remove', values: ['a', 'b'] }] },
  {
    id: 'remove by other filter → removeWhere',
    ops: [{ op: 'remove', path: 'members[type eq "Group"]' }],
    changes: [{ op: 'removeWhere', filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'Group' } }],
  },
  { id: 'remove without value → removeAll (RFC)', ops: [{ op: 'remove', path: 'members' }], changes: [{ op: 'removeAll' }] },
  { id: 'replace members → set', ops: [{ op: 'replace', path: 'members', value: [{ value: 'u9' }] }], changes: [{ op: 'replace', members: [{ value: 'u9' }] }] },
  { id: 'replace members with [] → removeAll', ops: [{ op: 'replace', path: 'members', value: [] }], changes: [{ op: 'removeAll' }] },
  { id: 'H19 replace displayName with path', ops: [{ op: 'Replace', path: 'displayName', value: 'Platform' }], doc: { displayName: 'Platform', externalId: 'g-ext' } },
  { id: 'H21 path-less displayName', ops: [{ op: 'replace', value: { displayName: 'Eng 2' } }], doc: { displayName: 'Eng 2', externalId: 'g-ext' } },
  { id: 'H22 path-less externalId', ops: [{ op: 'replace', value: { externalId: 'x2' } }], doc: { displayName: 'Engineering', externalId: 'x2' } },
  { id: 'path-less members add + unknown ignored', ops: [{ op: 'add', value: { members: [{ value: 'u1' }], id: 'x', bogus: 1 } }], doc: G, changes: [{ op: 'add', members: [{ value: 'u1' }] }] },
  { id: 'externalId remove', ops: [{ op: 'remove', path: 'externalId' }], doc: { displayName: 'Engineering' } },
  {
    id: 'ordered: add, remove, add',
    ops: [{ op: 'add', path: 'members', value: [{ value: 'a' }] }, { op: 'remove', path: 'members', value: [{ value: 'a' }] }, { op: 'add', path: 'members', value: [{ value: 'b' }] }],
    changes: [{ op: 'add', members: [{ value: 'a' }] }, { op: 'remove', values: ['a'] }, { op: 'add', members: [{ value: 'b' }] }],
  },
  { id: 'member value empty → invalidValue', ops: [{ op: 'add', path: 'members', value: [{ value: '' }] }], error: 'invalidValue' },
  { id: 'member value non-string → invalidValue', ops: [{ op: 'add', path: 'members', value: [{ value: 42 }] }], error: 'invalidValue' },
  { id: 'member without value → invalidValue', ops: [{ op: 'remove', path: 'members', value: [{ display: 'x' }] }], error: 'invalidValue' },
  { id: 'displayName removal → mutability', ops: [{ op: 'remove', path: 'displayName' }], error: 'mutability' },
  { id: 'displayName "" → mutability', ops: [{ op: 'replace', path: 'displayName', value: '' }], error: 'mutability' },
  { id: 'id → mutability', ops: [{ op: 'replace', path: 'id', value: 'x' }], error: 'mutability' },
  { id: 'unknown attribute → invalidPath', ops: [{ op: 'replace', path: 'owner', value: 'x' }], error: 'invalidPath' },
  { id: 'members sub-attribute path → invalidPath', ops: [{ op: 'replace', path: 'members.value', value: 'x' }], error: 'invalidPath' },
  { id: 'members filter on add → invalidPath', ops: [{ op: 'add', path: 'members[value eq "x"]', value: [{ value: 'x' }] }], error: 'invalidPath' },
  { id: 'members filter with unknown sub → invalidPath', ops: [{ op: 'remove', path: 'members[nope eq "x"]' }], error: 'invalidPath' },
  { id: 'user attribute on a group → invalidPath', ops: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:userName', value: 'x' }], error: 'invalidPath' },
];

t.test('Group PATCH → document + member deltas', async (t) => {
  for (const c of groupCases) {
    const run = () => applyGroupPatch(structuredClone(G), parsePatchRequest({ schemas: [PATCH], Operations: c.ops }));
    if (c.error) {
      t.equal(errorOf(run), c.error, c.id);
      continue;
    }
    const r = run();
    t.strictSame(r.doc, c.doc ?? G, `${c.id}: doc`);
    t.strictSame(r.memberChanges, c.changes ?? [], `${c.id}: member changes`);
    t.notOk('members' in r.doc, `${c.id}: members never enter the document`);
  }
});
