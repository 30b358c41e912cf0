// The console's Single sign-on page: values to paste into Entra, SAML/OIDC set-up (metadata URL
// reachable and not), settings, certificate expiry warning, who signed in with "Sign out
// everywhere", a Test sign-in that opens no session, and the log of sign-ins and refusals with
// their reason; viewers read only.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startServer, freePort } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { consoleAs, csrfFrom, seedManager } from './helpers/console.ts';
import { postAcs, provision, samlTenant } from './helpers/fake-entra-common.ts';
import { loadSsoConfig } from '../src/sso/config-store.ts';

const TID = 'aaaaaaaa-5555-4000-8000-00000000000a';

t.test('console Single sign-on page', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const adminId = (await db.manager.findFirst({ where: { tenantId: A.id, role: 'admin' } }))!.id;
  const viewerId = await seedManager(db, A.id, 'vera', 'viewer');
  const admin = await consoleAs(db, server.url, adminId, A.id);
  const viewer = await consoleAs(db, server.url, viewerId, A.id);
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID() };
  await provision(A, alice.upn, { externalId: alice.oid });

  // Viewer: sees the values to paste, cannot change anything.
  let res = await viewer.jar.get('/console/sso');
  let html = await res.text();
  t.equal(res.status, 200);
  t.match(html, `data-key="entity_id">${A.urls.entity_id}<`);
  t.match(html, `data-key="acs_url">${A.urls.acs_url}<`);
  t.match(html, `data-key="sign_on_url">${A.urls.sign_on_url}<`);
  t.match(html, `data-key="logout_url">${A.urls.logout_url}<`);
  t.match(html, 'data-copy="v-entity_id"', 'copy buttons');
  t.notMatch(html, 'action="/console/sso/saml"', 'no set-up forms for viewers');
  t.equal((await viewer.jar.post('/console/sso/off', { _csrf: viewer.csrf })).status, 403, 'viewer cannot turn SSO off');
  t.equal((await admin.jar.get('/console/assets/sso-copy.js')).status, 200);

  // Admin: a metadata URL that does not answer gives a clear message; one that does is saved.
  const closed = await freePort();
  res = await admin.jar.post('/console/sso/saml', { _csrf: admin.csrf, metadata_url: `http://127.0.0.1:${closed}/federationmetadata.xml` });
  t.equal(res.status, 400);
  t.match(await res.text(), /could not fetch metadata from http:\/\/127\.0\.0\.1:\d+\/federationmetadata\.xml: ECONNREFUSED/);
  res = await admin.jar.post('/console/sso/saml', { _csrf: admin.csrf, metadata_url: `${A.idp.url}/${TID}/federationmetadata/2007-06/federationmetadata.xml?appid=1`, match: 'externalId', allow_idp_initiated: 'on' });
  t.equal(res.status, 303);
  t.match(await loadSsoConfig(db, A.id), { protocol: 'saml', matchAttribute: 'externalId', allowIdpInitiated: true, metadataUrl: /federationmetadata/ });

  // A certificate 10 days from expiry is shown with a warning.
  const dir = fs.mkdtempSync(path.join(server.dir, 'cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '10', '-subj', '/CN=Microsoft Azure Federated SSO Certificate'], { stdio: 'ignore' });
  const soon = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  res = await admin.jar.post('/console/sso/saml', { _csrf: admin.csrf, metadata_xml: A.idp.metadataXml([A.idp.signer.cert, soon]), allow_idp_initiated: 'on', match: 'externalId' });
  t.equal(res.status, 303);
  html = await (await admin.jar.get('/console/sso')).text();
  t.match(html, 'data-testid="cert-warning"');
  t.match(html, 'data-cert-state="expiring"');
  t.match(html, 'data-cert-state="valid"');

  // Settings: matching rule and enforcement.
  res = await admin.jar.post('/console/sso/settings', { _csrf: csrfFrom(html), match: 'userName', enforce: 'required', allow_idp_initiated: 'on' });
  t.equal(res.status, 303);
  t.match(await loadSsoConfig(db, A.id), { matchAttribute: 'userName', enforce: true, allowIdpInitiated: true });

  // Test sign-in: the whole flow through Entra, the claims and the matched user, no session.
  const href = /id="test-sign-in" href="([^"]+)"/.exec(await (await admin.jar.get('/console/sso')).text())![1].replace(/&amp;/g, '&');
  t.equal(href, `${A.urls.sign_on_url}?mode=test`);
  A.idp.nextUser = alice;
  const tjar = new CookieJar();
  const toIdp = await tjar.get(href);
  const form = await (await fetch(toIdp.headers.get('location')!)).text();
  res = await postAcs(tjar, A.urls.acs_url, /name="SAMLResponse" value="([^"]+)"/.exec(form)![1]);
  t.equal(res.status, 200);
  const test = await res.text();
  t.match(test, /data-matched-user><strong>alice@acme\.test<\/strong>/);
  t.match(test, `data-claim="objectId">${alice.oid}<`);
  t.notOk(res.headers.getSetCookie().some((c) => c.startsWith('sl_user=')), 'test sign-in opens no session');
  t.equal(await db.endUserSession.count(), 0);
  t.equal((await db.ssoEvent.findFirst({ where: { tenantId: A.id }, orderBy: { id: 'desc' } }))?.outcome, 'test');

  // A sign-in and a refusal appear in the log; the user is listed with a session.
  const jar = new CookieJar();
  t.equal((await postAcs(jar, A.urls.acs_url, A.idp.response({ user: alice, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }))).status, 303);
  t.equal((await postAcs(new CookieJar(), A.urls.acs_url, A.idp.response({ user: { upn: 'nobody@acme.test', oid: crypto.randomUUID() }, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }))).status, 403);
  html = await (await admin.jar.get('/console/sso')).text();
  t.match(html, /<tr data-user="alice@acme\.test"><td>alice@acme\.test<\/td><td>[^<]+<\/td><td data-sessions>1<\/td>/);
  t.match(html, /data-outcome="success">.*alice@acme\.test/);
  t.match(html, /data-outcome="refused">.*nobody@acme\.test.*not_provisioned: userName nobody@acme\.test/s);

  // Sign out everywhere from the console ends the user's browser session.
  const userId = (await db.ssoUserLink.findFirst({ where: { tenantId: A.id } }))!.userId;
  res = await admin.jar.post(`/console/users/${userId}/sign-out`, { _csrf: csrfFrom(html), confirm: 'yes' });
  t.equal(res.status, 303);
  t.equal((await jar.get(`${server.url}/my`)).status, 303, 'session ended');
  html = await (await admin.jar.get('/console/sso')).text();
  t.match(html, /data-outcome="logout">.*signed out everywhere by admin/s);

  // OpenID Connect through the console: the secret is stored encrypted and never shown.
  res = await admin.jar.post('/console/sso/oidc', { _csrf: csrfFrom(html), issuer: `https://login.microsoftonline.com/${TID}/v2.0`, client_id: 'app-1', client_secret: 'Very-Secret-Value' });
  t.equal(res.status, 303);
  html = await (await admin.jar.get('/console/sso')).text();
  t.match(html, 'stored encrypted');
  t.notMatch(html, 'Very-Secret-Value');
  res = await admin.jar.post('/console/sso/oidc', { _csrf: csrfFrom(html), issuer: 'https://login.microsoftonline.com/common/v2.0', client_id: 'x', client_secret: 'y' });
  t.equal(res.status, 400, 'common authority refused');
  res = await admin.jar.post('/console/sso/off', { _csrf: csrfFrom(html), confirm: 'yes' });
  t.equal(res.status, 303);
  t.equal(await loadSsoConfig(db, A.id), null);
});
