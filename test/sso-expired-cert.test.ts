// Expired Entra signing certificates: an assertion that only an expired pinned certificate verifies
// is refused (with its own reason) unless the tenant opted in from the console, where the expiry
// warning says which policy applies; a current certificate beside it keeps working either way.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { consoleAs, csrfFrom } from './helpers/console.ts';
import { expectRefused, postAcs, provision, samlTenant } from './helpers/fake-entra-common.ts';
import { keyPair } from './helpers/fake-entra-saml.ts';
import { configureSaml } from '../src/sso/configure.ts';

const TID = 'aaaaaaaa-9999-4000-8000-00000000000a';

t.test('assertions signed only by expired certificates', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const admin = await consoleAs(db, server.url, (await db.manager.findFirst({ where: { tenantId: A.id, role: 'admin' } }))!.id, A.id);
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID() };
  await provision(A, alice.upn);
  const expired = keyPair('idp-expired');
  const post = (signer: { key: string; cert: string }) =>
    postAcs(new CookieJar(), A.urls.acs_url, A.idp.response({ user: alice, acsUrl: A.urls.acs_url, audience: A.urls.entity_id, signer }));

  // Entra's metadata lists the expired certificate beside the current one (rollover not finished).
  await configureSaml(db, A.id, { xml: A.idp.metadataXml([expired.cert, A.idp.signer.cert]), matchAttribute: 'userName', allowIdpInitiated: true });
  t.equal((await post(A.idp.signer)).status, 303, 'signed by the current certificate: accepted');
  const html = await expectRefused(t, await post(expired), 'certificate_expired', 403, 'signed by the expired one');
  t.match(html, 'certificate that has expired');
  t.match(await db.auditEvent.findFirst({ where: { tenantId: A.id, event: 'sso.refused' }, orderBy: { id: 'desc' } }), { detail: /^SAML: certificate_expired: signed by [0-9A-F:]+… expired 2025-01-01$/ });
  await expectRefused(t, await post(keyPair('attacker')), 'bad_signature', 403, 'an unknown key is still a bad signature');

  // Only the expired certificate pinned: refused too.
  await configureSaml(db, A.id, { xml: A.idp.metadataXml([expired.cert]), matchAttribute: 'userName', allowIdpInitiated: true });
  await expectRefused(t, await post(expired), 'certificate_expired', 403, 'only an expired certificate pinned');

  // The console shows the warning with the policy, and the admin may opt in.
  let page = await (await admin.jar.get('/console/sso')).text();
  t.match(page, 'data-cert-state="expired"');
  t.match(page, /data-testid="expired-policy">Sign-ins signed with it are refused\./);
  t.match(page, '<input type="checkbox" name="allow_expired_certs">');
  let res = await admin.jar.post('/console/sso/settings', { _csrf: csrfFrom(page), match: 'userName', enforce: 'optional', allow_idp_initiated: 'on', allow_expired_certs: 'on' });
  t.equal(res.status, 303);
  t.match(await db.auditEvent.findFirst({ where: { tenantId: A.id, event: 'sso.settings_changed' }, orderBy: { id: 'desc' } }), { detail: 'expired signing certificates accepted' });
  page = await (await admin.jar.get('/console/sso')).text();
  t.match(page, /data-testid="expired-policy">Sign-ins signed with it are still accepted/);
  t.match(page, '<input type="checkbox" name="allow_expired_certs" checked>');
  t.equal((await post(expired)).status, 303, 'accepted once the tenant opted in');
  await expectRefused(t, await post(keyPair('attacker')), 'bad_signature', 403, 'opting in trusts no other key');

  // Re-importing the metadata keeps the choice; switching it off refuses again.
  await configureSaml(db, A.id, { xml: A.idp.metadataXml([expired.cert]), matchAttribute: 'userName', allowIdpInitiated: true });
  t.equal((await post(expired)).status, 303, 'choice kept across a metadata import');
  res = await admin.jar.post('/console/sso/settings', { _csrf: csrfFrom(page), match: 'userName', enforce: 'optional', allow_idp_initiated: 'on' });
  t.equal(res.status, 303);
  await expectRefused(t, await post(expired), 'certificate_expired', 403, 'refused again after opting out');
});
