// SCIM wire behaviour over real HTTP: media types, error shapes, routing, listing, ETags.
import t from 'tap';
import { scimServer, userBody, groupBody, patchBody, ERROR_URN } from './helpers/scim.ts';

t.test('SCIM HTTP surface', async (t) => {
  const { server, a } = await scimServer(t);
  const scim = a.scim;
  const SCIM_TYPE = 'application/scim+json; charset=utf-8';

  const isError = (t: Tap, r: { status: number; json: any; headers: Headers }, status: number, scimType?: string) => {
    t.equal(r.status, status, `status ${status}`);
    t.equal(r.headers.get('content-type'), SCIM_TYPE);
    t.same(r.json?.schemas, [ERROR_URN]);
    t.equal(r.json?.status, String(status), 'status is a string');
    if (scimType) t.equal(r.json?.scimType, scimType);
  };
  type Tap = typeof t;

  await t.test('media types in and out', async (t) => {
    for (const ct of ['application/scim+json', 'application/scim+json; charset=utf-8', 'application/json', 'application/json;charset=UTF-8']) {
      const r = await scim.req('POST', '/Users', userBody(`mt-${ct.length}-${ct.includes('UTF') ? 'u' : 'l'}@x.test`), { 'content-type': ct });
      t.equal(r.status, 201, ct);
      t.equal(r.headers.get('content-type'), SCIM_TYPE);
      t.ok(r.headers.get('location')?.endsWith(`/scim/v2/Users/${r.json.id}`), 'Location');
      t.equal(r.headers.get('etag'), r.json.meta.version, 'ETag = meta.version');
    }
    isError(t, await scim.req('POST', '/Users', '<x/>', { 'content-type': 'application/xml' }), 415);
    isError(t, await scim.req('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    isError(t, await scim.req('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    isError(t, await scim.req('POST', '/Users', '[1,2]'), 400);
    isError(t, await scim.req('POST', '/Users', 'x'.repeat(3 * 1048576)), 413);
    // No Accept, no User-Agent (Entra's probe, Q14).
    const res = await fetch(`${server.url}/scim/v2/Users?filter=userName+eq+%22nobody%22`, { headers: { authorization: `Bearer ${scim.token}`, 'user-agent': '' } });
    t.equal(res.status, 200);
    t.equal(res.headers.get('content-type'), SCIM_TYPE);
  });

  await t.test('auth errors', async (t) => {
    const none = await fetch(`${server.url}/scim/v2/Users`);
    t.equal(none.status, 401);
    t.match(none.headers.get('www-authenticate'), /^Bearer/);
    t.equal(none.headers.get('content-type'), SCIM_TYPE);
    t.same((await none.json()).schemas, [ERROR_URN]);
    const bad = await fetch(`${server.url}/scim/v2/ServiceProviderConfig`, { headers: { authorization: 'Bearer nope' } });
    t.equal(bad.status, 401, 'discovery is behind auth too');
    t.match(bad.headers.get('www-authenticate'), /invalid_token/);
    const basic = await fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    t.equal(basic.status, 401);
  });

  await t.test('routing: 404, 405, case-insensitive paths', async (t) => {
    isError(t, await scim.req('GET', '/Nope'), 404);
    isError(t, await scim.req('GET', '/Users/x/y'), 404);
    isError(t, await scim.req('DELETE', '/Users'), 405);
    isError(t, await scim.req('PATCH', '/ServiceProviderConfig', {}), 405);
    isError(t, await scim.req('GET', '/Bulk'), 405);
    const u = await scim.req('POST', '/Users', userBody('case@x.test'));
    for (const p of [`/users/${u.json.id}`, `/USERS/${u.json.id}`, `/Users/${u.json.id}/`]) t.equal((await scim.req('GET', p)).status, 200, p);
    const upper = await fetch(`${server.url}/SCIM/V2/USERS/${u.json.id}`, { headers: { authorization: `Bearer ${scim.token}` } });
    t.equal(upper.status, 200, 'prefix matched case-insensitively');
    t.equal((await scim.req('GET', '/serviceproviderconfig')).status, 200);
    t.equal((await scim.req('GET', `/Users?aadOptscim062020&filter=userName+eq+%22case%40x.test%22`)).json.totalResults, 1, 'Entra flag ignored');
  });

  await t.test('discovery', async (t) => {
    const spc = await scim.req('GET', '/ServiceProviderConfig');
    t.equal(spc.status, 200);
    t.equal(spc.json.patch.supported, true);
    const schemas = await scim.req('GET', '/Schemas');
    t.equal(schemas.json.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:ListResponse');
    t.ok(schemas.json.totalResults >= 3);
    const one = await scim.req('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group');
    t.equal(one.json.id, 'urn:ietf:params:scim:schemas:core:2.0:Group');
    isError(t, await scim.req('GET', '/Schemas/urn:nope'), 404);
    const rts = await scim.req('GET', '/ResourceTypes');
    t.ok(rts.json.Resources.some((r: any) => r.endpoint === '/Users'));
    t.equal((await scim.req('GET', '/ResourceTypes/Group')).status, 200);
  });

  await t.test('users: CRUD, uniqueness, PUT, soft and hard delete', async (t) => {
    const c = await scim.req('POST', '/Users', userBody('Crud@X.test', { id: 'client-id', meta: { version: 'W/"99"' }, displayName: 'Crud' }));
    t.equal(c.status, 201);
    t.not(c.json.id, 'client-id', 'id is server-assigned');
    isError(t, await scim.req('POST', '/Users', userBody('crud@x.TEST')), 409, 'uniqueness');
    const id = c.json.id;
    const put = await scim.req('PUT', `/Users/${id}`, userBody('crud@x.test', { id: 'other', title: 'Boss' }));
    t.equal(put.status, 200);
    t.equal(put.json.id, id, 'id immutable');
    t.equal(put.json.title, 'Boss');
    t.equal(put.json.displayName, undefined, 'PUT replaces: omitted attributes are cleared');
    const off = await scim.req('PATCH', `/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }));
    t.equal(off.status, 200);
    t.equal(off.json.active, false);
    const found = await scim.req('GET', '/Users?filter=userName+eq+%22CRUD%40x.test%22');
    t.equal(found.json.totalResults, 1, 'soft-deleted user still filterable');
    const sel = await scim.req('PATCH', `/Users/${id}?attributes=userName`, patchBody({ op: 'replace', path: 'title', value: 'X' }));
    t.equal(sel.json.userName, 'crud@x.test');
    t.equal(sel.json.title, undefined, 'PATCH honours attributes');
    t.equal((await scim.req('DELETE', `/Users/${id}`)).status, 204);
    isError(t, await scim.req('GET', `/Users/${id}`), 404);
    isError(t, await scim.req('DELETE', `/Users/${id}`), 404);
    isError(t, await scim.req('PUT', `/Users/${id}`, userBody('z@x.test')), 404);
    isError(t, await scim.req('PATCH', '/Users/none', patchBody({ op: 'add', path: 'title', value: 'x' })), 404);
  });

  await t.test('groups: members delta, display, excludedAttributes, cascade on user delete', async (t) => {
    const u1 = (await scim.req('POST', '/Users', userBody('g1@x.test', { displayName: 'Gee One' }))).json.id;
    const u2 = (await scim.req('POST', '/Users', userBody('g2@x.test'))).json.id;
    const g = await scim.req('POST', '/Groups', groupBody('Team', { members: [{ value: u1 }] }));
    t.equal(g.status, 201);
    t.equal(g.json.members.length, 1);
    isError(t, await scim.req('POST', '/Groups', groupBody('TEAM')), 409, 'uniqueness');
    const gid = g.json.id;
    const p = await scim.req('PATCH', `/Groups/${gid}`, patchBody({ op: 'Add', path: 'members', value: [{ value: u2 }, { value: u1 }] }));
    t.equal(p.status, 204, 'group PATCH answers 204');
    const full = await scim.req('GET', `/Groups/${gid}`);
    t.equal(full.json.members.length, 2);
    const m1 = full.json.members.find((m: any) => m.value === u1);
    t.equal(m1.display, 'Gee One');
    t.equal(m1.type, 'User');
    t.match(m1.$ref, new RegExp(`/scim/v2/Users/${u1}$`));
    t.equal((await scim.req('GET', `/Groups/${gid}?excludedAttributes=members`)).json.members, undefined);
    t.equal((await scim.req('GET', `/Groups?excludedAttributes=members`)).json.Resources[0].members, undefined);
    isError(t, await scim.req('PATCH', `/Groups/${gid}`, patchBody({ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] })), 400, 'invalidValue');
    const withBody = await scim.req('PATCH', `/Groups/${gid}?excludedAttributes=members`, patchBody({ op: 'replace', path: 'displayName', value: 'Team 2' }));
    t.equal(withBody.status, 200, '200 + resource when attributes requested');
    t.equal(withBody.json.displayName, 'Team 2');
    const ug = await scim.req('GET', `/Users/${u1}`);
    t.same(ug.json.groups?.map((x: any) => x.value), [gid], 'user.groups');
    await scim.req('DELETE', `/Users/${u2}`);
    const after = await scim.req('GET', `/Groups/${gid}`);
    t.same(after.json.members.map((m: any) => m.value), [u1], 'deleting a user removes its membership');
    const rm = await scim.req('PATCH', `/Groups/${gid}`, patchBody({ op: 'remove', path: `members[value eq "${u1}"]` }));
    t.equal(rm.status, 204);
    t.same((await scim.req('GET', `/Groups/${gid}`)).json.members ?? [], []);
    const put = await scim.req('PUT', `/Groups/${gid}`, groupBody('Team 3', { members: [{ value: u1 }] }));
    t.equal(put.status, 200);
    t.equal(put.json.members.length, 1);
  });

  await t.test('listing: paging, count, sorting, attributes, bad params', async (t) => {
    for (let i = 0; i < 7; i++) await scim.req('POST', '/Users', userBody(`page-${i}@list.test`, { displayName: `P${6 - i}` }));
    const all = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&count=1000');
    t.equal(all.json.totalResults, 7);
    const p2 = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&startIndex=3&count=2');
    t.equal(p2.json.startIndex, 3);
    t.equal(p2.json.itemsPerPage, 2);
    t.equal(p2.json.totalResults, 7);
    t.same(p2.json.Resources.map((r: any) => r.id), all.json.Resources.slice(2, 4).map((r: any) => r.id), 'stable order');
    const last = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&startIndex=7&count=5');
    t.equal(last.json.itemsPerPage, 1);
    t.equal(last.json.totalResults, 7);
    const beyond = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&startIndex=50&count=5');
    t.equal(beyond.json.totalResults, 7, 'exact total past the end');
    t.same(beyond.json.Resources, []);
    const zero = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&count=0');
    t.equal(zero.json.totalResults, 7);
    t.equal(zero.json.itemsPerPage, 0);
    t.equal((await scim.req('GET', '/Users?startIndex=-4&count=1')).json.startIndex, 1);
    const capped = await scim.req('GET', `/Users?count=${server.config.scim.maxResults + 50}`);
    t.ok(capped.json.itemsPerPage <= server.config.scim.maxResults);
    const sorted = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&sortBy=displayName&sortOrder=ascending');
    t.same(sorted.json.Resources.map((r: any) => r.displayName), ['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    const desc = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&sortBy=userName&sortOrder=descending&attributes=userName');
    t.equal(desc.json.Resources[0].userName, 'page-6@list.test');
    t.equal(desc.json.Resources[0].displayName, undefined, 'attributes projection');
    t.ok(desc.json.Resources[0].id, 'id always returned');
    const ex = await scim.req('GET', '/Users?filter=userName+sw+%22page-%22&excludedAttributes=displayName');
    t.equal(ex.json.Resources[0].displayName, undefined);
    isError(t, await scim.req('GET', '/Users?count=ten'), 400, 'invalidValue');
    isError(t, await scim.req('GET', '/Users?startIndex=1.5'), 400, 'invalidValue');
    isError(t, await scim.req('GET', '/Users?sortOrder=sideways'), 400);
    isError(t, await scim.req('GET', '/Users?filter=userName+eq'), 400, 'invalidFilter');
    const search = await scim.req('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "page-"', startIndex: 2, count: 3, attributes: ['userName'] });
    t.equal(search.status, 200);
    t.equal(search.json.totalResults, 7);
    t.equal(search.json.itemsPerPage, 3);
    const root = await scim.req('POST', '/.search', { filter: 'displayName eq "P3"' });
    t.equal(root.json.totalResults, 1);
    const rootAll = await scim.req('POST', '/.search', { count: 1000 });
    t.ok(rootAll.json.Resources.some((r: any) => r.meta?.resourceType === 'Group') && rootAll.json.Resources.some((r: any) => r.meta?.resourceType === 'User'));
    const gs = await scim.req('POST', '/Groups/.search', { filter: 'displayName sw "Team"' });
    t.equal(gs.status, 200);
  });

  await t.test('ETags', async (t) => {
    const c = await scim.req('POST', '/Users', userBody('etag@x.test'));
    const id = c.json.id;
    const etag = c.headers.get('etag')!;
    t.match(etag, /^W\/"\d+"$/);
    const nm = await scim.req('GET', `/Users/${id}`, undefined, { 'if-none-match': etag });
    t.equal(nm.status, 304);
    const ok = await scim.req('PATCH', `/Users/${id}`, patchBody({ op: 'add', path: 'title', value: 'a' }), { 'if-match': etag });
    t.equal(ok.status, 200);
    t.not(ok.headers.get('etag'), etag, 'version bumped');
    isError(t, await scim.req('PATCH', `/Users/${id}`, patchBody({ op: 'add', path: 'title', value: 'b' }), { 'if-match': etag }), 412);
    isError(t, await scim.req('PUT', `/Users/${id}`, userBody('etag@x.test'), { 'if-match': etag }), 412);
    isError(t, await scim.req('DELETE', `/Users/${id}`, undefined, { 'if-match': etag }), 412);
    t.equal((await scim.req('GET', `/Users/${id}`, undefined, { 'if-none-match': etag })).status, 200, 'stale If-None-Match → 200');
    t.equal((await scim.req('PATCH', `/Users/${id}`, patchBody({ op: 'add', path: 'title', value: 'c' }), { 'if-match': '*' })).status, 200);
    const g = await scim.req('POST', '/Groups', groupBody('Etag G'));
    isError(t, await scim.req('PATCH', `/Groups/${g.json.id}`, patchBody({ op: 'add', path: 'displayName', value: 'x' }), { 'if-match': 'W/"42"' }), 412);
    t.equal((await scim.req('DELETE', `/Users/${id}`, undefined, { 'if-match': ok.headers.get('etag') === etag ? etag : (await scim.req('GET', `/Users/${id}`)).headers.get('etag')! })).status, 204);
  });
});
