// Tenant isolation: tenant A's token never sees or touches tenant B's objects; revocation is
// effective on the next request.
import t from 'tap';
import { scimServer, tenantWithToken, userBody, groupBody, patchBody } from './helpers/scim.ts';
import { TEST_ENV } from './helpers/server.ts';

t.test('tenant isolation and revocation', async (t) => {
  const { server, a } = await scimServer(t);
  const b = await tenantWithToken(server, 'tenant-b');
  const bu = (await b.scim.req('POST', '/Users', userBody('shared@x.test', { displayName: 'B user' }))).json.id;
  const bg = (await b.scim.req('POST', '/Groups', groupBody('Shared', { members: [{ value: bu }] }))).json.id;
  const au = (await a.scim.req('POST', '/Users', userBody('shared@x.test'))).json;
  t.ok(au.id, 'same userName in another tenant is fine');
  const ag = (await a.scim.req('POST', '/Groups', groupBody('Shared'))).json.id;

  const cases: [string, string, unknown?][] = [
    ['GET', `/Users/${bu}`],
    ['PUT', `/Users/${bu}`, userBody('x@x.test')],
    ['PATCH', `/Users/${bu}`, patchBody({ op: 'replace', path: 'active', value: false })],
    ['DELETE', `/Users/${bu}`],
    ['GET', `/Groups/${bg}`],
    ['PUT', `/Groups/${bg}`, groupBody('Y')],
    ['PATCH', `/Groups/${bg}`, patchBody({ op: 'add', path: 'members', value: [{ value: au.id }] })],
    ['DELETE', `/Groups/${bg}`],
  ];
  for (const [m, p, body] of cases) t.equal((await a.scim.req(m, p, body)).status, 404, `${m} ${p.split('/')[1]} of B → 404`);

  for (const q of ['/Users', '/Groups', `/Users?filter=id+eq+%22${bu}%22`, `/Groups?filter=members+eq+%22${bu}%22`, '/Users?filter=displayName+eq+%22B+user%22']) {
    const r = await a.scim.req('GET', q);
    t.notOk(JSON.stringify(r.json).includes(bu) || JSON.stringify(r.json).includes(bg), `list ${q} does not leak`);
  }
  const root = await a.scim.req('POST', '/.search', { count: 1000 });
  t.notOk(JSON.stringify(root.json).includes(bu), '/.search does not leak');

  const add = await a.scim.req('PATCH', `/Groups/${ag}`, patchBody({ op: 'add', path: 'members', value: [{ value: bu }] }));
  t.equal(add.status, 400, "adding B's user to A's group");
  t.equal(add.json.scimType, 'invalidValue');
  const create = await a.scim.req('POST', '/Groups', groupBody('Sneaky', { members: [{ value: bg }] }));
  t.equal(create.status, 400, "B's group as a member");
  const bulk = await a.scim.req('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'DELETE', path: `/Users/${bu}` }] });
  t.equal(bulk.json.Operations[0].status, '404', 'bulk is tenant-scoped');
  t.equal((await b.scim.req('GET', `/Users/${bu}`)).status, 200, "B's user untouched");
  t.equal((await b.scim.req('GET', `/Groups/${bg}`)).json.members.length, 1, "B's group untouched");

  // Revocation (RFC 7009) through the real endpoint; the very next SCIM request is refused.
  t.equal((await a.scim.req('GET', '/Users')).status, 200);
  const secret = TEST_ENV.ENTRA_CLIENT_SECRETS.split(',')[0];
  const rev = await fetch(`${server.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: a.tokens.access_token, client_id: TEST_ENV.ENTRA_CLIENT_ID, client_secret: secret }).toString(),
  });
  t.equal(rev.status, 200, 'revoke accepted');
  const after = await a.scim.req('GET', '/Users');
  t.equal(after.status, 401, 'revoked token → 401');
  t.match(after.headers.get('www-authenticate'), /Bearer/);
  t.equal((await b.scim.req('GET', '/Users')).status, 200, "B's token unaffected");
});
