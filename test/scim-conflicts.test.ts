// Renames into a name that is taken: PATCH and PUT answer 409 uniqueness (RFC 7644 §3.12) and
// leave the resource as it was (the version-keyed UPDATE runs in a transaction).
import t from 'tap';
import { scimServer, userBody, groupBody, patchBody } from './helpers/scim.ts';

t.test('rename conflicts on PATCH and PUT', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;
  await scim.req('POST', '/Users', userBody('taken@x.test'));
  const u = (await scim.req('POST', '/Users', userBody('free@x.test', { emails: [{ type: 'work', value: 'free@x.test' }] }))).json;
  const conflict = (r: { status: number; json: any }, what: string) => {
    t.equal(r.status, 409, what);
    t.equal(r.json.scimType, 'uniqueness', what);
    t.equal(r.json.status, '409', what);
  };
  conflict(await scim.req('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'userName', value: 'TAKEN@x.test' })), 'PATCH userName');
  conflict(await scim.req('PATCH', `/Users/${u.id}`, patchBody({ op: 'Replace', value: { userName: 'taken@X.test', 'emails[type eq "work"].value': 'new@x.test' } })), 'path-less PATCH');
  conflict(await scim.req('PUT', `/Users/${u.id}`, userBody('Taken@x.test')), 'PUT userName');
  const after = (await scim.req('GET', `/Users/${u.id}`)).json;
  t.equal(after.userName, 'free@x.test', 'unchanged');
  t.same(after.emails, [{ type: 'work', value: 'free@x.test' }], 'value rows unchanged too');
  t.equal(after.meta.version, u.meta.version, 'version unchanged');
  t.equal((await scim.req('GET', `/Users?filter=${encodeURIComponent('emails.value eq "new@x.test"')}`)).json.totalResults, 0);

  await scim.req('POST', '/Groups', groupBody('Taken'));
  const g = (await scim.req('POST', '/Groups', groupBody('Free'))).json;
  conflict(await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: 'TAKEN' })), 'PATCH displayName');
  conflict(await scim.req('PUT', `/Groups/${g.id}`, groupBody('taken')), 'PUT displayName');
  t.equal((await scim.req('GET', `/Groups/${g.id}`)).json.displayName, 'Free');
});
