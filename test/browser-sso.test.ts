// Single sign-on in real headless Chromium: SP-initiated SAML from our Go-to-domain page, IdP-
// initiated SAML (My Apps) and OpenID Connect, each ending on /my, and a registered SecureLogin app
// whose authorization goes through the tenant's Entra and ends at the app's callback with a code
// whose ID token verifies against our JWKS. The local SAML IdP
// runs on "localhost" while we run on 127.0.0.1, so Entra's form POST to the ACS is cross-site,
// as in production (the SameSite=Lax interaction cookie is not sent on it).
import crypto from 'node:crypto';
import http from 'node:http';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { launchBrowser } from './helpers/browser.ts';
import { tenantWithToken, groupBody } from './helpers/scim.ts';
import { oidcTenant, provision, verifyIdToken } from './helpers/fake-entra-common.ts';
import { FakeEntraSaml } from './helpers/fake-entra-saml.ts';
import { findTenantByDomain } from '../src/db/tenants.ts';
import { configureSaml } from '../src/sso/configure.ts';
import { spUrls } from '../src/sso/urls.ts';
import { createApp } from '../src/sso/apps.ts';

const TID = 'aaaaaaaa-4444-4000-8000-00000000000a';
const TID_B = 'bbbbbbbb-4444-4000-8000-00000000000b';

t.test('SAML SSO in Chromium: /my and a SecureLogin app', async (t) => {
  const server = await startServer(t);
  const A = await tenantWithToken(server, 'acme');
  const tenant = (await findTenantByDomain(server.app.db, A.domain))!;
  const urls = spUrls(server.config, tenant.id);
  const idp = new FakeEntraSaml(TID);
  await idp.start((aud) => (aud === urls.entity_id ? urls.acs_url : 'unknown'));
  idp.url = idp.url.replace('127.0.0.1', 'localhost');
  t.teardown(() => idp.stop());
  await configureSaml(server.app.db, tenant.id, { xml: idp.metadataXml(), matchAttribute: 'userName', allowIdpInitiated: true });
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID(), displayName: 'Alice Archer' };
  const aliceId = await provision(A, alice.upn, { displayName: 'Alice Archer' });
  await A.scim.req('POST', '/Groups', groupBody('Finance', { members: [{ value: aliceId }] }));
  idp.nextUser = alice;

  // The app's callback: a real loopback server that records what arrives.
  const arrived: URL[] = [];
  const appServer = http.createServer((req, res) => {
    arrived.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title><h1>App callback</h1>');
  });
  await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => appServer.close(() => r())));
  const redirectUri = `http://127.0.0.1:${(appServer.address() as { port: number }).port}/callback`;
  const app = await createApp(server.app.db, { tenantId: tenant.id, name: 'Portal', redirectUris: [redirectUri], isPublic: false });

  const browser = await launchBrowser(t);

  await t.test('SP-initiated from the Go-to-domain page to /my', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/my`);
    t.match(page.url(), /\/sso\/start$/, 'signed-out visitor sent to Go to domain');
    await page.fill('#domain', A.domain);
    await page.click('button[type=submit]');
    await page.click('#sign-in-microsoft');
    await page.waitForURL(`${server.url}/my`);
    t.equal(await page.textContent('[data-username]'), 'alice@acme.test');
    t.match(await page.content(), 'Finance');
    const cookie = (await context.cookies(server.url)).find((c) => c.name === 'sl_user');
    t.ok(cookie?.httpOnly, 'HttpOnly session cookie');
    t.equal(cookie?.sameSite, 'Lax');
    // Sign-out continues to Entra's logout URL (allowed by this page's form-action) and Entra's
    // LogoutResponse comes back to our Logout URL.
    await page.click('text=Sign out');
    await page.waitForURL((u) => u.toString().startsWith(`${urls.logout_url}?SAMLResponse=`));
    t.match(await page.textContent('h1'), 'You are signed out');
    t.match(await page.textContent('main, body'), 'signed out of SecureLogin and of your Microsoft account');
    t.ok(idp.lastLogoutRequest?.includes('<saml:NameID>alice@acme.test</saml:NameID>'), 'Entra received the LogoutRequest');
    await page.goto(`${server.url}/my`);
    t.match(page.url(), /\/sso\/start$/, 'signed out for real');
    await context.close();
  });

  await t.test('IdP-initiated SAML (My Apps tile) to /my', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${idp.url}/${TID}/launch?audience=${encodeURIComponent(urls.entity_id)}`);
    await page.waitForURL(`${server.url}/my`);
    t.equal(await page.textContent('[data-username]'), 'alice@acme.test');
    await context.close();
  });

  await t.test('OpenID Connect from the Go-to-domain page to /my', async (t) => {
    const B = await oidcTenant(t, server, 'beta', TID_B);
    await provision(B, 'bea@beta.test');
    B.idp.nextUser = { id: 'bea', upn: 'bea@beta.test', oid: crypto.randomUUID() };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/sso/start`);
    await page.fill('#domain', B.domain);
    await page.click('button[type=submit]');
    await page.click('#sign-in-microsoft');
    await page.waitForURL(`${server.url}/my`);
    t.equal(await page.textContent('[data-username]'), 'bea@beta.test');
    await context.close();
  });

  await t.test('a SecureLogin app signs in through Entra and gets a verified ID token', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const verifier = crypto.randomBytes(32).toString('base64url');
    const state = crypto.randomBytes(8).toString('hex');
    const nonce = crypto.randomBytes(8).toString('hex');
    const q = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    await page.goto(`${server.url}/oauth/authorize?${q}`);
    await page.waitForURL((u) => u.toString().startsWith(redirectUri));
    t.match(await page.textContent('h1'), 'App callback');
    const cb = arrived.filter((u) => u.pathname === '/callback').at(-1)!;
    t.notOk(cb.searchParams.get('error'), String(cb.searchParams.get('error_description')));
    t.equal(cb.searchParams.get('state'), state);
    const code = cb.searchParams.get('code')!;
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    t.equal(res.status, 200);
    const { id_token } = (await res.json()) as { id_token: string };
    const payload = await verifyIdToken(`${server.url}/oauth/jwks`, id_token, { issuer: `${server.url}/oauth`, audience: app.clientId });
    t.equal(payload.sub, aliceId);
    t.match(payload, { tid: tenant.id, preferred_username: 'alice@acme.test', name: 'Alice Archer', groups: ['Finance'], nonce });
    await context.close();
  });
});
