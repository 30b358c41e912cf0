// The key-lookup fast path (userName/externalId/id eq, one SQL query) must answer exactly like the
// general filter path. A sortBy on meta.created forces the general path with the same order
// (createdAt, then id), so the two responses can be compared byte for byte.
import t from 'tap';
import { scimServer, userBody, groupBody, patchBody } from './helpers/scim.ts';

t.test('key lookups answer exactly like the general filter path', async (t) => {
  const { server, a } = await scimServer(t);
  const scim = a.scim;
  const boss = (await scim.req('POST', '/Users', userBody('boss@x.test', { displayName: 'The Boss' }))).json;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await scim.req('POST', '/Users', userBody(`Worker${i}@X.test`, {
      externalId: i < 4 ? 'shared-ext' : 'SHARED-EXT',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: boss.id } },
    }));
    t.equal(r.status, 201);
    ids.push(r.json.id);
  }
  const g1 = (await scim.req('POST', '/Groups', groupBody('Alpha'))).json;
  const g2 = (await scim.req('POST', '/Groups', groupBody('Beta'))).json;
  for (const g of [g2, g1]) {
    t.equal((await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: ids[0] }, { value: ids[1] }] }))).status, 204);
  }

  const both = async (query: string) => {
    const fast = await scim.req('GET', `/Users?${query}`);
    const general = await scim.req('GET', `/Users?${query}&sortBy=meta.created`);
    t.equal(fast.status, general.status, `${query}: status`);
    t.same(fast.json, general.json, `${query}: same body`);
    return fast.json;
  };
  const f = (s: string) => `filter=${encodeURIComponent(s)}`;

  const one = await both(f('userName eq "worker0@x.TEST"'));
  t.equal(one.totalResults, 1);
  t.same(one.Resources[0].groups.map((g: { display: string }) => g.display), ['Beta', 'Alpha'], 'groups in membership order');
  t.equal(one.Resources[0]['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager.displayName, 'The Boss');
  t.equal((await both(f('userName eq "nobody"'))).totalResults, 0);
  t.equal((await both(f(`id eq "${ids[2]}"`))).Resources[0].id, ids[2]);
  t.equal((await both(f(`id eq "${ids[2].toUpperCase()}"`))).totalResults, 0, 'id is case-exact');

  const ext = await both(f('externalId eq "shared-ext"'));
  t.equal(ext.totalResults, 4, 'externalId is case-exact');
  t.same(ext.Resources.map((r: { id: string }) => r.id), ids.slice(0, 4));
  const page = await both(`${f('externalId eq "shared-ext"')}&startIndex=2&count=2`);
  t.equal(page.totalResults, 4, 'exact total on a full page');
  t.same(page.Resources.map((r: { id: string }) => r.id), ids.slice(1, 3));
  t.equal((await both(`${f('externalId eq "shared-ext"')}&startIndex=4&count=2`)).itemsPerPage, 1);
  t.equal((await both(`${f('externalId eq "shared-ext"')}&startIndex=9`)).totalResults, 4, 'beyond the end: total still exact');
  const zero = await both(`${f('externalId eq "shared-ext"')}&count=0`);
  t.same([zero.totalResults, zero.Resources.length], [4, 0]);
  const slim = await both(`${f('userName eq "worker1@x.test"')}&attributes=userName`);
  t.same(Object.keys(slim.Resources[0]).sort(), ['id', 'schemas', 'userName']);
  const noGroups = await both(`${f('userName eq "worker1@x.test"')}&excludedAttributes=groups`);
  t.notOk('groups' in noGroups.Resources[0]);

  // Value-path lookups (Entra's alternative matching attribute, emails[type eq "work"].value).
  const mail = async (userName: string, emails: object[]) => (await scim.req('POST', '/Users', userBody(userName, { emails }))).json.id as string;
  const m1 = await mail('mail1@x.test', [{ type: 'work', value: 'Shared@Mail.test', primary: true }, { type: 'home', value: 'home1@mail.test' }]);
  const m2 = await mail('mail2@x.test', [{ type: 'home', value: 'shared@mail.test' }, { type: 'work', value: 'shared@mail.TEST' }]);
  await mail('mail3@x.test', [{ type: 'home', value: 'Shared@Mail.test' }]);
  const work = await both(f('emails[type eq "work"].value eq "SHARED@mail.test"'));
  t.same(work.Resources.map((r: { id: string }) => r.id), [m1, m2], 'work emails, case-insensitive, each user once');
  t.equal((await both(f('emails[value eq "shared@mail.test"]'))).totalResults, 3, 'any type');
  t.equal((await both(f('emails.value eq "home1@mail.test"'))).Resources[0].id, m1);
  t.equal((await both(`${f('emails eq "shared@mail.test"')}&startIndex=2&count=1`)).totalResults, 3, 'paged value lookup keeps an exact total');
  t.equal((await both(f('emails[type eq "other"].value eq "shared@mail.test"'))).totalResults, 0);

  // Writes answer with the entire resource (RFC 7644 §3.5.1, §3.5.2), its groups included.
  const got = (await scim.req('GET', `/Users/${ids[0]}`)).json;
  t.equal(got.groups.length, 2);
  const patched = await scim.req('PATCH', `/Users/${ids[0]}`, patchBody({ op: 'replace', path: 'displayName', value: 'W0' }));
  t.equal(patched.status, 200);
  t.same(patched.json.groups, got.groups, 'PATCH response carries groups');
  const put = await scim.req('PUT', `/Users/${ids[0]}`, userBody('worker0@x.test'));
  t.same(put.json.groups, got.groups, 'PUT response carries groups');
  t.notOk('groups' in (await scim.req('PATCH', `/Users/${ids[0]}?excludedAttributes=groups`, patchBody({ op: 'replace', path: 'displayName', value: 'W1' }))).json);

  // Tenant isolation on the fast path.
  const { tenantWithToken } = await import('./helpers/scim.ts');
  const b = await tenantWithToken(server, 'lookup-b');
  for (const q of [f('userName eq "worker0@x.test"'), f(`id eq "${ids[0]}"`), f('externalId eq "shared-ext"'), f('emails.value eq "shared@mail.test"'), 'count=5']) {
    const r = await b.scim.req('GET', `/Users?${q}`);
    t.equal(r.json.totalResults, 0, `other tenant sees nothing: ${q}`);
  }
});
