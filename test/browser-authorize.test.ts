// Issue 2: the Entra admin's path in real headless Chromium. The portal is intercepted inside the
// browser (page.route), so nothing leaves the machine; the test asserts that the final URL at the
// portal carries a code and the very state the portal sent.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { seedTenant, tokenRequest } from './helpers/oauth.ts';
import { launchBrowser } from './helpers/browser.ts';

const PW = 'Correct-Horse-Battery-9';
const PORTAL = 'https://portal.azure.com/TokenAuthorize';

t.test('admin authorizes Entra in Chromium', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, {
    domain: 'acme',
    name: 'Acme Corp',
    managers: [
      { username: 'admin', password: PW, role: 'admin' },
      { username: 'viewer', password: PW, role: 'viewer' },
    ],
  });
  const browser = await launchBrowser(t);
  const context = await browser.newContext();
  const page = await context.newPage();
  const external: string[] = [];
  await page.route('https://portal.azure.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Azure portal (stub)</title><h1>Back in the portal</h1>' }),
  );
  // Playwright cannot intercept a redirect hop (by design: microsoft/playwright#3994), and the
  // portal is reached through our 303s after the Allow POST. So the Allow POST itself is
  // intercepted: its redirect chain on OUR server is followed with the context's request API
  // (same cookie store as the browser), and the final portal URL is handed back to the browser as
  // a fresh navigation, which page.route above intercepts. Every hop still runs on our server.
  const ourHops: string[] = [];
  await page.route(/\/interaction\/[^/]+\/consent$/, async (route) => {
    let res = await route.fetch({ maxRedirects: 0 });
    let location = res.headers()['location'];
    while (res.status() >= 300 && res.status() < 400 && location && new URL(location, server.url).origin === server.url) {
      const next = new URL(location, server.url).toString();
      ourHops.push(new URL(next).pathname);
      res = await context.request.get(next, { maxRedirects: 0 });
      location = res.headers()['location'];
    }
    if (!location) return route.fulfill({ response: res });
    const target = new URL(location, server.url).toString().replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    return route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><meta http-equiv="refresh" content="0;url=${target}">` });
  });
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(server.url) && !u.startsWith('https://portal.azure.com/')) external.push(u);
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });

  const state = `entra-state-${Date.now()}`;
  const authorize = new URL(`${server.url}/oauth/authorize`);
  authorize.search = new URLSearchParams({ response_type: 'code', client_id: server.config.entra.clientId, redirect_uri: PORTAL, state }).toString();
  await page.goto(authorize.toString());

  // Go to domain: an unknown one first.
  await t.resolves(page.getByRole('heading', { name: 'Go to your domain' }).waitFor());
  await page.getByLabel('SecureLogin domain').fill('nosuch');
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Continue' }).click()]);
  t.match(await page.getByRole('alert').innerText(), /could not find a SecureLogin domain/);
  await page.getByLabel('SecureLogin domain').fill(' ACME ');
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Continue' }).click()]);

  // Sign in: the viewer is refused with the admin-permission message; then the admin.
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  t.match(await page.locator('main').innerText(), /Acme Corp/);
  await page.getByLabel('Username').fill('viewer');
  await page.getByLabel('Password').fill(PW);
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign in' }).click()]);
  t.match(await page.getByRole('alert').innerText(), /does not have admin permission/);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(PW);
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Sign in' }).click()]);

  // Consent.
  await page.getByRole('heading', { name: /Allow Microsoft Entra ID to access Acme Corp/ }).waitFor();
  t.match(await page.locator('main').innerText(), /users/);
  await Promise.all([page.waitForURL(/^https:\/\/portal\.azure\.com\//), page.getByRole('button', { name: 'Allow', exact: true }).click()]);

  const final = new URL(page.url());
  t.equal(`${final.origin}${final.pathname}`, PORTAL, 'landed on the (intercepted) portal');
  t.match(ourHops, [/^\/oauth\/authorize\/[\w-]+$/], 'the redirect went through the provider resume endpoint');
  t.equal(final.searchParams.get('state'), state, 'same state');
  const code = final.searchParams.get('code');
  t.ok(code, 'carries a code');
  t.same(external, [], 'no other external request (no external assets)');
  // (4xx documents for the unknown domain and the refused viewer are logged as "Failed to load
  // resource": expected; anything else, such as a CSP violation, is not.)
  t.same(consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 40[34]/.test(e)), [], 'no CSP violations or script errors');

  // The code works at the token endpoint, as Entra would use it.
  const tok = await tokenRequest(server, { grant_type: 'authorization_code', code: code!, redirect_uri: PORTAL });
  t.equal(tok.status, 200);
  t.ok(tok.json.refresh_token);
});
