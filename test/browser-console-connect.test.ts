// The new console pages in real headless Chromium at desktop width and at 390 px (a phone):
// Connect Entra with a secret token created and revoked through its confirmation page, the
// overview's connections, the audit view, the managers list and the forced first password change;
// axe-core finds no violation on any of them; no page scrolls sideways on the phone and row actions
// stay visible. Screenshots of these pages are taken on every run; with DOCS_SCREENSHOTS=1 they are
// written to docs/img for docs/entra-admin.md (otherwise to a temporary folder, so a test run leaves
// the work tree as it found it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from './helpers/server.ts';
import { authorizeUrl, seedTenant } from './helpers/oauth.ts';
import { consoleSignIn, launchBrowser } from './helpers/browser.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const IMG = process.env.DOCS_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'img') : fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-shots-'));
if (process.env.DOCS_SCREENSHOTS !== '1') t.teardown(() => fs.rmSync(IMG, { recursive: true, force: true }));
const PW = 'Admin-Pass-2026!';

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name });

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: { id: string; nodes: { target: string[] }[] }[] };
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function noSidewaysScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

t.test('new console pages in Chromium, desktop and 390 px, with axe', async (t) => {
  const s = await startServer(t);
  await seedTenant(s, { domain: 'acme', name: 'Acme Corp', managers: [{ username: 'alice', password: PW }, { username: 'newbie', password: 'Initial-Pass-123', role: 'viewer', mustChangePassword: true }] });
  const browser = await launchBrowser(t);
  fs.mkdirSync(IMG, { recursive: true });

  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    t.test(label, async (t) => {
      // axe is injected as a script: the pages' CSP (script-src 'self') would refuse it.
      const ctx = await browser.newContext({ viewport, bypassCSP: true });
      t.teardown(() => ctx.close());
      const page = await ctx.newPage();
      await consoleSignIn(page, s.url, 'acme', 'alice', PW);
      const shot = (name: string) => page.screenshot({ path: path.join(IMG, `${name}-${label}.png`), fullPage: true });

      await nav(page, 'Connect Entra').click();
      t.ok(await page.getByRole('heading', { name: 'Connect Microsoft Entra ID' }).isVisible());
      t.same(await axeViolations(page), [], 'Connect Entra: no axe violations');
      t.ok(await noSidewaysScroll(page), 'Connect Entra fits the width');
      await shot('connect');

      await page.getByLabel('Token name').fill(`Entra ${label}`);
      await page.getByLabel('Expires after').selectOption('365');
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.getByTestId('secret-token').innerText()).trim();
      t.match(token, /^slst_/);
      t.same(await axeViolations(page), [], 'token shown: no axe violations');
      await shot('token-created');
      const ok = await fetch(`${s.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
      t.equal(ok.status, 200);

      await nav(page, 'Overview').click();
      t.ok(await page.getByText(`Entra ${label}`).first().isVisible(), 'the token is a live connection');
      t.same(await axeViolations(page), [], 'Overview: no axe violations');
      t.ok(await noSidewaysScroll(page), 'Overview fits the width');
      await shot('overview');

      await nav(page, 'Connect Entra').click();
      const revoke = page.getByRole('button', { name: `Revoke token Entra ${label}` });
      t.ok(await revoke.isVisible(), 'row action visible without scrolling sideways');
      await revoke.click();
      t.ok(await page.getByRole('heading', { name: 'Revoke secret token' }).isVisible());
      t.ok(await page.getByText('stops provisioning to acme').isVisible());
      t.same(await axeViolations(page), [], 'confirmation: no axe violations');
      await shot('confirm-revoke');
      await page.getByRole('button', { name: 'Revoke token' }).click();
      await page.waitForURL(/done=revoked/);
      t.equal((await fetch(`${s.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

      await page.goto(`${s.url}/console/activity?view=audit`);
      t.ok(await page.getByText('Secret token revoked').first().isVisible());
      t.same(await axeViolations(page), [], 'audit view: no axe violations');
      t.ok(await noSidewaysScroll(page), 'audit view fits the width');
      await shot('audit');

      await page.goto(`${s.url}/console/managers`);
      t.same(await axeViolations(page), [], 'Managers: no axe violations');
      t.ok(await noSidewaysScroll(page), 'Managers fits the width');
      if (label === 'phone') t.ok(await page.getByRole('button', { name: 'Remove newbie' }).isVisible(), 'row actions reachable on a phone');
    });
  }

  t.test('the Authorize pages an Entra admin sees (screenshots for the guide)', async (t) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => ctx.close());
    const page = await ctx.newPage();
    await page.goto(authorizeUrl(s, {}));
    await page.getByLabel(/domain/i).fill('acme');
    await page.screenshot({ path: path.join(IMG, 'authorize-domain.png') });
    await Promise.all([page.waitForURL(/\/interaction\//), page.locator('form button[type=submit]').first().click()]);
    await page.getByLabel(/username/i).fill('alice');
    await page.getByLabel(/password/i).fill(PW);
    await page.screenshot({ path: path.join(IMG, 'authorize-sign-in.png') });
    await page.locator('form button[type=submit]').first().click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await page.screenshot({ path: path.join(IMG, 'authorize-consent.png') });
    // Entra's redirect URI is outside this machine: the browser's request to it carries the code.
    const [toEntra] = await Promise.all([page.waitForRequest(/^https:\/\/portal\.azure\.com\//), page.getByRole('button', { name: 'Allow' }).click()]);
    t.ok(new URL(toEntra.url()).searchParams.get('code'), 'Entra receives a code');
  });

  t.test('forced first password change is not squeezed', async (t) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    t.teardown(() => ctx.close());
    const page = await ctx.newPage();
    await consoleSignIn(page, s.url, 'acme', 'newbie', 'Initial-Pass-123');
    t.equal(new URL(page.url()).pathname, '/console/password');
    const width = await page.locator('.card.narrow').evaluate((el) => el.getBoundingClientRect().width);
    t.ok(width > 400, `the card is ${Math.round(width)} px wide`);
    t.same(await axeViolations(page), [], 'password page: no axe violations');
    await page.screenshot({ path: path.join(IMG, 'first-password-desktop.png') });
  });

  t.test('GET / goes to the console; favicon', async (t) => {
    const root = await fetch(`${s.url}/`, { redirect: 'manual' });
    t.equal(root.status, 302);
    t.equal(root.headers.get('location'), '/console');
    const ico = await fetch(`${s.url}/favicon.ico`);
    t.equal(ico.status, 200);
    t.match(ico.headers.get('content-type') ?? '', 'image/svg+xml');
  });
});
