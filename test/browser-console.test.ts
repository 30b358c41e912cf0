// The console in real headless Chromium: a manager signs in through the Go-to-domain
// and sign-in pages; SCIM-provisioned users and groups appear; Disconnect makes the next SCIM call
// 401; a new manager's first sign-in forces a password change; a viewer has no buttons and a forged
// POST (valid session + CSRF) is refused; an API client created in the console gets a
// client-credentials token that SCIM accepts; sign out.
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer } from './helpers/server.ts';
import { obtainTokens, seedTenant } from './helpers/oauth.ts';
import { scimClient } from './helpers/scim.ts';
import { CHROMIUM_PATH, LAUNCH_ARGS, consoleSignIn } from './helpers/browser.ts';

const ADMIN_PW = 'Admin-Pass-2026!';

async function signOut(page: Page, base: string) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  // The provider asks to confirm ending its session (RP-initiated logout), then returns here.
  await page.waitForURL(/\/oauth\/logout|\/console\/signed-out/);
  if (page.url().includes('/oauth/logout')) {
    await Promise.all([page.waitForURL(`${base}/console/signed-out`), page.getByRole('button', { name: 'Sign out' }).click()]);
  }
}

t.test('manager console in Chromium', async (t) => {
  const s = await startServer(t);
  const { tenant } = await seedTenant(s, { domain: 'acme', name: 'Acme Corp', managers: [{ username: 'alice', password: ADMIN_PW, role: 'admin' }] });
  await seedTenant(s, { domain: 'globex', name: 'Globex', managers: [{ username: 'bob', password: ADMIN_PW, role: 'admin' }] });

  // Entra connects the tenant (the real Authorize flow) and provisions over SCIM.
  const tokens = await obtainTokens(s, { domain: 'acme', username: 'alice', password: ADMIN_PW });
  const scim = scimClient(s, tokens.access_token);
  const jane = await scim.req('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'jane.doe@acme.test',
    active: true,
    displayName: 'Jane Doe',
    name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [{ value: 'jane.doe@acme.test', type: 'work', primary: true }],
  });
  t.equal(jane.status, 201);
  const john = await scim.req('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'john.roe@acme.test', active: true });
  t.equal(john.status, 201);
  const group = await scim.req('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Sales Team',
    members: [{ value: jane.json.id }, { value: john.json.id }],
  });
  t.equal(group.status, 201);
  const dup = await scim.req('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'JANE.DOE@acme.test' });
  t.equal(dup.status, 409);
  t.equal((await scim.req('PATCH', `/Users/${john.json.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status, 200);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());

  t.test('admin signs in, sees provisioned data and activity, disconnects Entra', async (t) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await consoleSignIn(page, s.url, 'acme', 'alice', ADMIN_PW);
    t.equal(new URL(page.url()).pathname, '/console');
    t.equal(await page.locator('h1').innerText(), 'Acme Corp');
    t.ok(await page.getByText('Microsoft Entra ID').isVisible(), 'Entra connection listed');

    await page.getByRole('link', { name: 'Users' }).click();
    t.ok(await page.getByRole('link', { name: 'jane.doe@acme.test' }).isVisible());
    t.ok(await page.getByRole('link', { name: 'john.roe@acme.test' }).isVisible());
    await page.getByLabel('Search').fill('JANE');
    await page.getByRole('button', { name: 'Apply' }).click();
    t.equal(await page.getByRole('link', { name: 'john.roe@acme.test' }).count(), 0, 'search narrows the list');
    await page.getByRole('link', { name: 'jane.doe@acme.test' }).click();
    t.ok(await page.getByRole('link', { name: 'Sales Team' }).isVisible(), 'group membership on the user page');
    t.ok(await page.getByText('Name › Given name').isVisible(), 'attributes rendered with friendly labels');

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Groups' }).click();
    const row = page.locator('tr', { hasText: 'Sales Team' });
    t.equal(await row.locator('td.num').innerText(), '2', 'member count');

    // Activity is flushed about once a second.
    await page.waitForTimeout(1300);
    await page.getByRole('link', { name: 'Activity' }).click();
    t.ok((await page.locator('table').innerText()).includes('uniqueness'), 'failed create listed');
    await page.getByLabel('Outcome').selectOption('success');
    await page.getByRole('button', { name: 'Apply' }).click();
    const text = await page.locator('table').innerText();
    t.ok(text.includes('Created') && text.includes('Updated') && !text.includes('uniqueness'));

    await page.getByRole('link', { name: 'Overview' }).click();
    t.ok(await page.getByRole('img', { name: 'SCIM requests per day, last 7 days' }).isVisible(), 'daily chart drawn');
    t.ok(await page.getByRole('img', { name: 'SCIM requests per hour, last 24 hours' }).isVisible(), 'hourly chart drawn');
    await page.getByRole('button', { name: /^Disconnect/ }).click();
    // A confirmation page names the connection and the consequence before anything happens.
    t.ok(await page.getByText('Entra will stop provisioning to acme until someone authorizes again').isVisible());
    t.equal((await scim.req('GET', '/Users')).status, 200, 'nothing revoked yet');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/done=disconnected/);
    t.ok(await page.getByText('The connection was disconnected').isVisible());
    t.equal((await scim.req('GET', '/Users')).status, 401, 'next SCIM request with its token is refused');
    await ctx.close();
  });

  let mia = '';
  t.test('admin adds a viewer; first sign-in forces a password change; viewer cannot mutate', async (t) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await consoleSignIn(page, s.url, 'acme', 'alice', ADMIN_PW);
    await page.getByRole('link', { name: 'Managers' }).click();
    await page.getByLabel('Username').fill('mia');
    await page.getByLabel('Initial password').fill('Initial-Pass-123');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add manager' }).click();
    t.ok(await page.getByText('Manager added').isVisible());
    await signOut(page, s.url);
    t.ok(await page.getByText('You are signed out').isVisible());
    await ctx.close();

    const vctx = await browser.newContext();
    const v = await vctx.newPage();
    await consoleSignIn(v, s.url, 'acme', 'mia', 'Initial-Pass-123');
    t.equal(new URL(v.url()).pathname, '/console/password', 'forced password change');
    await v.goto(`${s.url}/console/users`);
    t.equal(new URL(v.url()).pathname, '/console/password', 'nothing else before the change');
    await v.getByLabel('Current password').fill('Initial-Pass-123');
    await v.getByLabel('New password', { exact: true }).fill('Own-Secret-Pass-88');
    await v.getByLabel('Confirm new password').fill('Own-Secret-Pass-88');
    await v.getByRole('button', { name: 'Change password' }).click();
    await v.waitForURL(`${s.url}/console`);
    mia = 'Own-Secret-Pass-88';
    t.equal(await v.getByRole('button', { name: /Disconnect/ }).count(), 0);
    t.equal(await v.getByRole('link', { name: 'Managers' }).count(), 1, 'viewers read the managers list');
    t.equal(await v.getByRole('link', { name: 'API clients' }).count(), 0);
    // Forged POSTs with the viewer's valid session cookie and CSRF token are refused.
    const csrf = await v.locator('input[name=_csrf]').first().inputValue();
    for (const [path, form] of [
      ['/console/managers', { _csrf: csrf, username: 'evil', password: 'Evil-Pass-12345', role: 'admin' }],
      ['/console/api-clients', { _csrf: csrf, name: 'evil' }],
      ['/console/connections/anything/disconnect', { _csrf: csrf }],
    ] as const) {
      const r = await v.request.post(`${s.url}${path}`, { form: { ...form }, maxRedirects: 0 });
      t.equal(r.status(), 403, `viewer POST ${path}`);
    }
    t.equal((await v.request.get(`${s.url}/console/api-clients`, { maxRedirects: 0 })).status(), 403);
    await signOut(v, s.url);
    await vctx.close();
  });

  t.test('API client created in the console obtains a token that SCIM accepts', async (t) => {
    t.ok(mia, 'previous step ran');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await consoleSignIn(page, s.url, 'acme', 'alice', ADMIN_PW);
    await page.getByRole('link', { name: 'API clients' }).click();
    t.ok(await page.getByText(`${s.url}/oauth/token`).isVisible(), 'token endpoint shown');
    await page.getByLabel('Name').fill('Entra provisioning');
    await page.getByRole('button', { name: 'Create client' }).click();
    const clientId = await page.getByTestId('client-id').innerText();
    const secret = await page.getByTestId('client-secret').innerText();
    t.match(clientId, /^slc_/);

    const tok = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    t.equal(tok.status, 200);
    const body = (await tok.json()) as { access_token: string; expires_in: number };
    t.ok(body.expires_in >= 3600 && body.expires_in <= 21600, 'lifetime 1–6 h');
    const cc = scimClient(s, body.access_token);
    const list = await cc.req('GET', '/Users');
    t.equal(list.status, 200);
    t.equal(list.json.totalResults, 2, 'bound to this tenant');

    await page.goto(`${s.url}/console/api-clients`);
    t.equal(await page.getByTestId('client-secret').count(), 0, 'secret shown once');
    t.ok(await page.getByText(`…${secret.slice(-4)}`).isVisible(), 'only its last characters afterwards');
    await signOut(page, s.url);
    t.equal(new URL(page.url()).pathname, '/console/signed-out');
    await page.goto(`${s.url}/console`);
    t.match(page.url(), /\/interaction\//, 'signed out: a new visit starts a sign-in');
    await ctx.close();
    t.ok(tenant.id);
  });
});
