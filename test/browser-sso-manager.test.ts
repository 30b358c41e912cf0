// Managers signing in to the console with Microsoft, in real headless Chromium: SAML through the
// local Entra-shaped IdP (on "localhost" while we run on 127.0.0.1, so its form POST to the ACS is
// cross-site as in production) and OpenID Connect; then, with single sign-on required, a viewer's
// password is refused on the page with a pointer to "Sign in with Microsoft" while an admin's
// password still opens the console.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { consoleSignIn, launchBrowser } from './helpers/browser.ts';
import { MANAGER_PASSWORD, tenantWithToken } from './helpers/scim.ts';
import { oidcTenant, provision } from './helpers/fake-entra-common.ts';
import { FakeEntraSaml } from './helpers/fake-entra-saml.ts';
import { createManagerWithPassword } from '../src/accounts/managers.ts';
import { findTenantByDomain } from '../src/db/tenants.ts';
import { configureSaml } from '../src/sso/configure.ts';
import { updateSsoSettings } from '../src/db/sso-config.ts';
import { spUrls } from '../src/sso/urls.ts';

const TID = 'aaaaaaaa-8888-4000-8000-00000000000a';
const TID_OIDC = 'bbbbbbbb-8888-4000-8000-00000000000b';
const PW = 'Viewer-Passphrase-88';

t.test('managers sign in to the console with Microsoft in Chromium', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await tenantWithToken(server, 'acme');
  const tenant = (await findTenantByDomain(db, A.domain))!;
  const urls = spUrls(server.config, tenant.id);
  const idp = new FakeEntraSaml(TID);
  await idp.start((aud) => (aud === urls.entity_id ? urls.acs_url : 'unknown'));
  idp.url = idp.url.replace('127.0.0.1', 'localhost');
  t.teardown(() => idp.stop());
  await configureSaml(db, tenant.id, { xml: idp.metadataXml(), matchAttribute: 'userName', allowIdpInitiated: false });
  await createManagerWithPassword({ db, config: server.config }, { tenantId: tenant.id, username: 'vera@acme.test', password: PW, role: 'viewer' });
  await provision(A, 'vera@acme.test');
  idp.nextUser = { upn: 'vera@acme.test', oid: crypto.randomUUID(), displayName: 'Vera Viewer' };
  const browser = await launchBrowser(t);

  /** Console → Go to domain → the managers' sign-in page. */
  const toSignInPage = async (domain: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.getByLabel(/domain/i).fill(domain);
    await Promise.all([page.waitForURL(/\/interaction\//), page.locator('form button[type=submit]').first().click()]);
    return { context, page };
  };

  await t.test('SAML: Sign in with Microsoft opens the console as the matching manager', async (t) => {
    const { context, page } = await toSignInPage(A.domain);
    await Promise.all([page.waitForURL(`${server.url}/console`), page.click('#sign-in-microsoft')]);
    t.match(await page.textContent('body'), 'vera@acme.test', 'signed in as vera');
    t.ok((await context.cookies(`${server.url}/console`)).some((c) => c.name === 'sl_console'), 'console session');
    t.notOk((await context.cookies(server.url)).some((c) => c.name === 'sl_user'), 'no end-user session for a manager sign-in');
    await context.close();
  });

  await t.test('OpenID Connect: Sign in with Microsoft opens the console', async (t) => {
    const B = await oidcTenant(t, server, 'beta', TID_OIDC);
    await createManagerWithPassword({ db, config: server.config }, { tenantId: B.id, username: 'bea@beta.test', password: PW, role: 'viewer' });
    await provision(B, 'bea@beta.test');
    B.idp.nextUser = { id: 'bea', upn: 'bea@beta.test', oid: crypto.randomUUID() };
    const { context, page } = await toSignInPage(B.domain);
    await Promise.all([page.waitForURL(`${server.url}/console`), page.click('#sign-in-microsoft')]);
    t.match(await page.textContent('body'), 'bea@beta.test', 'signed in as bea');
    await context.close();
  });

  await t.test('SSO required: a viewer password is refused on the page, an admin password works', async (t) => {
    await updateSsoSettings(db, tenant.id, { matchAttribute: 'userName', enforce: true, allowIdpInitiated: false, allowExpiredCerts: false });
    const { context, page } = await toSignInPage(A.domain);
    t.match(await page.textContent('#sso-required'), 'requires single sign-on', 'the page says so before anyone types');
    await page.getByLabel(/username/i).fill('vera@acme.test');
    await page.getByLabel(/password/i).fill(PW);
    await Promise.all([page.waitForLoadState('load'), page.locator('form button[type=submit]').first().click()]);
    t.match(page.url(), /\/interaction\/[^/]+\/login$/, 'stays on the sign-in page');
    t.match(await page.textContent('[role=alert]'), 'choose "Sign in with Microsoft" below', 'points at Sign in with Microsoft');
    t.notOk((await context.cookies(`${server.url}/console`)).some((c) => c.name === 'sl_console'), 'no console session');
    // The way it points at still works.
    await Promise.all([page.waitForURL(`${server.url}/console`), page.click('#sign-in-microsoft')]);
    t.match(await page.textContent('body'), 'vera@acme.test');
    await context.close();

    const admin = await browser.newContext();
    const adminPage = await admin.newPage();
    await consoleSignIn(adminPage, server.url, A.domain, 'admin', MANAGER_PASSWORD);
    t.equal(adminPage.url(), `${server.url}/console`, 'an admin still signs in with a password (break-glass)');
    await admin.close();
  });
});
