// The groups repository throws neutral errors and the groups service words them for SCIM
// (RFC 7644 §3.12): the taken displayName, the missing group, the member that is not in the
// tenant, a group as its own member; DELETE's If-Match runs in the deleting transaction.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { scimServer, groupBody, patchBody, userBody } from './helpers/scim.ts';
import { createGroupsRepo } from '../src/db/scim-groups.ts';
import { NotFound, ReferenceNotFound, SelfReference, UniqueViolation } from '../src/db/errors.ts';
import { groupWrite } from '../src/scim/groups-service.ts';
import { PreconditionFailedError } from '../src/scim/errors.ts';

t.test('repository: neutral errors only', async (t) => {
  const db = await freshDb(t);
  await db.tenant.create({ data: { id: 'T', domain: 't', domainKey: 't', name: 'T' } });
  const repo = createGroupsRepo(db);
  await repo.create('T', 'g1', groupWrite({ displayName: 'One' }), []);
  await t.rejects(repo.create('T', 'g2', groupWrite({ displayName: 'ONE' }), []), UniqueViolation, 'displayName taken (any case)');
  const missing = await repo.create('T', 'g3', groupWrite({ displayName: 'Three' }), [{ value: 'nobody' }]).catch((e: unknown) => e);
  t.ok(missing instanceof ReferenceNotFound);
  t.match(missing, { attribute: 'members', value: 'nobody' });
  t.equal(await repo.get('T', 'g3', { members: false }), null, 'nothing stored');
  const self = await repo.update('T', 'g1', () => ({ write: null, deltas: [{ op: 'add', members: [{ value: 'g1' }] }] })).catch((e: unknown) => e);
  t.ok(self instanceof SelfReference);
  await t.rejects(repo.update('T', 'nope', () => ({ write: null, deltas: [] })), NotFound);

  const refuse = () => {
    throw new PreconditionFailedError('stale');
  };
  const refused = await repo.remove('T', 'g1', refuse).catch((e: unknown) => e);
  t.ok(refused instanceof PreconditionFailedError, 'the check refuses: the caller\'s error, unchanged');
  t.ok(await repo.get('T', 'g1', { members: false }), 'and the group stays');
  let seen = 0;
  t.equal(await repo.remove('T', 'g1', (v) => { seen = v; }), true);
  t.equal(seen, 1, 'the check saw the stored version');
  t.equal(await repo.remove('T', 'g1', () => {}), false, 'gone');
  t.equal(await repo.remove('T', 'g1'), false);
});

t.test('service over HTTP: the SCIM words for each', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;
  const g = (await scim.req('POST', '/Groups', groupBody('Sales'))).json;
  await scim.req('POST', '/Groups', groupBody('Taken'));
  const u = (await scim.req('POST', '/Users', userBody('u@x.test'))).json;

  const renamed = await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: 'TAKEN' }));
  t.match(renamed.json, { status: '409', scimType: 'uniqueness', detail: 'Group displayName "TAKEN" is already in use in this tenant' });
  const posted = await scim.req('POST', '/Groups', groupBody('taken'));
  t.match(posted.json, { status: '409', scimType: 'uniqueness', detail: 'Group displayName "taken" is already in use in this tenant' });

  const self = await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }, { value: g.id }] }));
  t.match(self.json, { status: '400', scimType: 'invalidValue', detail: 'A group cannot be a member of itself' });
  const stranger = await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }));
  t.match(stranger.json, { status: '400', scimType: 'invalidValue', detail: 'members value "no-such-user" is not a User or Group in this tenant' });
  t.equal((await scim.req('GET', `/Groups/${g.id}`)).json.members.length, 0, 'neither PATCH changed the members');

  const gone = await scim.req('PATCH', '/Groups/no-such-group', patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
  t.match(gone, { status: 404, json: { status: '404', detail: 'Group no-such-group not found' } });
  t.match(await scim.req('PUT', '/Groups/no-such-group', groupBody('X')), { status: 404, json: { detail: 'Group no-such-group not found' } });

  const etag = (await scim.req('GET', `/Groups/${g.id}`)).headers.get('etag')!;
  t.equal((await scim.req('DELETE', `/Groups/${g.id}`, undefined, { 'if-match': 'W/"42"' })).status, 412);
  t.equal((await scim.req('DELETE', `/Groups/${g.id}`, undefined, { 'if-match': etag })).status, 204);
  t.equal((await scim.req('DELETE', `/Groups/${g.id}`)).status, 404);
});
