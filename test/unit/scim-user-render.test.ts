// userToScim shares the stored document's values instead of deep-copying it (the copy was ~10 %
// of a page of 100): rendering must still leave the document as it was, and give the same
// resource however often it runs. No database.
import t from 'tap';
import { userToScim } from '../../src/scim/resources/user.ts';
import { project } from '../../src/scim/resources/project.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BASE = 'https://id.example/scim/v2';
const row = (data: Record<string, unknown>) => ({ id: 'u1', data, createdAt: new Date('2025-01-02T03:04:05Z'), updatedAt: new Date('2025-02-03T04:05:06Z'), version: 3 });

t.test('rendering leaves the stored document unchanged', async (t) => {
  const data = JSON.parse('{"userName":"a@x.test","externalId":"e1","emails":[{"value":"a@x.test"}],"' + E + '":{"department":"R&D","manager":{"value":"m1"}}}');
  const before = JSON.stringify(data);
  const ctx = { baseUrl: BASE, managerDisplayName: 'Boss', groups: [{ value: 'g1', display: 'G' }] };
  const first = userToScim(row(data), ctx);
  t.equal(JSON.stringify(data), before, 'manager rewrite and key moves stay out of the document');
  t.same((first[E] as Record<string, unknown>).manager, { value: 'm1', $ref: `${BASE}/Users/m1`, displayName: 'Boss' });
  t.equal(JSON.stringify(userToScim(row(data), ctx)), JSON.stringify(first), 'the same resource again');
  project(first, { excludedAttributes: ['emails.value', `${E}:department`] }, 'User');
  t.equal(JSON.stringify(data), before, 'an exclusion edits a copy, not the document');
  t.same((first.emails as unknown[])[0], { value: 'a@x.test' }, 'nor the rendered resource');
});

t.test('an extension without attributes is not returned, nor listed in schemas', async (t) => {
  for (const ext of [{}, [], 'x', null]) {
    const out = userToScim(row({ userName: 'a', [E]: ext }), { baseUrl: BASE });
    t.same(out.schemas, [U]);
    t.notOk(E in out);
  }
});

t.test('an own "__proto__" key read from JSON stays an attribute, not the prototype', async (t) => {
  const data = JSON.parse('{"userName":"a","__proto__":{"polluted":true}}');
  const out = userToScim(row(data), { baseUrl: BASE });
  t.equal(Object.getPrototypeOf(out), Object.prototype);
  t.equal((out as { polluted?: boolean }).polluted, undefined);
  t.equal(JSON.stringify(out), JSON.stringify({ schemas: [U], id: 'u1', meta: out.meta, userName: 'a', ['__proto__']: { polluted: true } }));
});
