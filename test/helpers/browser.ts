// Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium through playwright-core,
// never a browser download (only the npm registry and Debian packages are reachable).
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

/** Signs a manager in to the console through the Go-to-domain and sign-in pages. */
export async function consoleSignIn(page: Page, base: string, domain: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.getByLabel(/domain/i).fill(domain);
  await Promise.all([page.waitForURL(/\/interaction\//), page.locator('form button[type=submit]').first().click()]);
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([page.waitForURL(/\/console/), page.locator('form button[type=submit]').first().click()]);
}
