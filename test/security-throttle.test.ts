// Throttles in the database (one atomic claim per counter, checked before the secret): sign-in
// under 20 parallel guesses, a second instance on the same database, X-Forwarded-For trusted only
// from TRUST_PROXY, Go-to-domain guessing, client authentication at /oauth/token, the console's
// change-password form; and an initial/reset password cannot authorize Entra before it is changed.
import t from 'tap';
import { startServer, TEST_ENV, freePort } from './helpers/server.ts';
import { type ServerLike, CookieJar, DEFAULT_REDIRECT, authorizeOverHttp, authorizeUrl, csrfOf, follow, seedTenant, tokenRequest } from './helpers/oauth.ts';
import { consoleAs } from './helpers/console.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { setPassword } from '../src/accounts/managers.ts';

const PW = 'Correct-Horse-Battery-9';

/** An interaction past the domain step: a function posting the sign-in form with optional headers. */
async function signInForm(server: ServerLike, domain: string) {
  const jar = new CookieJar();
  const first = await follow(jar, server.url, authorizeUrl(server), DEFAULT_REDIRECT);
  const csrf = csrfOf(first.html);
  const chosen = await jar.post(`${first.url}/domain`, { _csrf: csrf, domain });
  if (chosen.status !== 303) throw new Error(`domain step answered ${chosen.status}`);
  return (username: string, password: string, headers: Record<string, string> = {}) =>
    jar.fetch(`${first.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
    });
}

const statuses = (rs: Response[]) => rs.map((r) => r.status).sort();
const count = (rs: Response[], status: number) => rs.filter((r) => r.status === status).length;

t.test('20 parallel wrong passwords for one user: only the limit (5) are checked', async (t) => {
  const server = await startServer(t, { LOGIN_MAX_FAILURES_PER_USER: '5', LOGIN_MAX_FAILURES_PER_IP: '100' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const attempt = await signInForm(server, 'acme');
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt('admin', `wrong-password-${i}`)));
  t.equal(count(answers, 401), 5, 'exactly five passwords checked');
  t.equal(count(answers, 429), 15, 'the other fifteen refused unchecked');
  t.ok(answers.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) > 0), 'Retry-After on every refusal');
  t.equal((await attempt('admin', PW)).status, 429, 'the right password is refused too until the window ends');

  // A second instance on the same database file sees the same counter (and would survive a restart).
  const port = await freePort();
  const config2 = loadConfig({ ...TEST_ENV, PORT: String(port), DATABASE_URL: server.config.databaseUrl, LOGIN_MAX_FAILURES_PER_USER: '5' });
  const app2 = await buildApp(config2, { logger: false });
  t.teardown(() => app2.close());
  await app2.listen({ host: '127.0.0.1', port });
  const attempt2 = await signInForm({ url: config2.publicUrl, config: config2, app: app2 }, 'acme');
  t.equal((await attempt2('ADMIN', PW)).status, 429, 'another instance refuses as well');
});

t.test('X-Forwarded-For is ignored unless TRUST_PROXY names the proxy', async (t) => {
  const env = { LOGIN_MAX_FAILURES_PER_USER: '100', LOGIN_MAX_FAILURES_PER_IP: '3' };
  const direct = await startServer(t, env);
  await seedTenant(direct, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const attempt = await signInForm(direct, 'acme');
  const spoofed: Response[] = [];
  for (let i = 0; i < 5; i++) spoofed.push(await attempt(`user${i}`, 'wrong-password-1', { 'x-forwarded-for': `203.0.113.${i}` }));
  t.same(statuses(spoofed), [401, 401, 401, 429, 429], 'rotating X-Forwarded-For does not escape the per-IP limit');

  const proxied = await startServer(t, { ...env, TRUST_PROXY: '127.0.0.1' });
  await seedTenant(proxied, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const viaProxy = await signInForm(proxied, 'acme');
  const fromClients: Response[] = [];
  for (let i = 0; i < 5; i++) fromClients.push(await viaProxy(`user${i}`, 'wrong-password-1', { 'x-forwarded-for': `203.0.113.${i}` }));
  t.same(statuses(fromClients), [401, 401, 401, 401, 401], 'behind the configured proxy, each client address has its own counter');
  const sameClient: Response[] = [];
  for (let i = 0; i < 4; i++) sameClient.push(await viaProxy(`other${i}`, 'wrong-password-1', { 'x-forwarded-for': '198.51.100.7' }));
  t.same(statuses(sameClient), [401, 401, 401, 429], 'and one client address is still limited');

  // A hop count trusts that many proxies: the address before the last one is the client's, and
  // whatever a client writes further left is ignored.
  const hops = await startServer(t, { ...env, TRUST_PROXY: '1' });
  await seedTenant(hops, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const viaHop = await signInForm(hops, 'acme');
  const rotatedLeft: Response[] = [];
  for (let i = 0; i < 4; i++) rotatedLeft.push(await viaHop(`user${i}`, 'wrong-password-1', { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7` }));
  t.same(statuses(rotatedLeft), [401, 401, 401, 429], 'entries left of the trusted hop do not change the client address');
  const distinct: Response[] = [];
  for (let i = 0; i < 4; i++) distinct.push(await viaHop(`more${i}`, 'wrong-password-1', { 'x-forwarded-for': `198.51.100.${20 + i}` }));
  t.same(statuses(distinct), [401, 401, 401, 401], 'the address the proxy appended is the client address');

  t.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY/, 'a blanket "true" is refused');
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, ['10.0.0.0/8', '::1']);
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  t.equal(loadConfig({}).trustProxy, false, 'default: no proxy trusted');
});

t.test('Go-to-domain: unknown domains are limited per client IP', async (t) => {
  const server = await startServer(t, { LOGIN_MAX_FAILURES_PER_IP: '3' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const jar = new CookieJar();
  const first = await follow(jar, server.url, authorizeUrl(server), DEFAULT_REDIRECT);
  const csrf = csrfOf(first.html);
  const ok = await jar.post(`${first.url}/domain`, { _csrf: csrf, domain: 'acme' });
  t.equal(ok.status, 303, 'a known domain does not count');
  const guesses: number[] = [];
  for (const d of ['globex', 'initech', 'umbrella', 'hooli']) guesses.push((await jar.post(`${first.url}/domain`, { _csrf: csrf, domain: d })).status);
  t.same(guesses, [404, 404, 404, 429], 'the fourth guess is refused');
  const blocked = await jar.post(`${first.url}/domain`, { _csrf: csrf, domain: 'acme' });
  t.equal(blocked.status, 429);
  t.ok(Number(blocked.headers.get('retry-after')) > 0);
  t.match(await blocked.text(), /Too many unknown domains/);
});

t.test('client authentication at /oauth/token: per client id from one address and per address, 429 with Retry-After', async (t) => {
  const server = await startServer(t, { CLIENT_AUTH_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_IP: '100' });
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => tokenRequest(server, { grant_type: 'client_credentials' }, { method: 'basic', secret: 'wrong-secret-0123456789' })),
  );
  t.equal(answers.filter((a) => a.status === 401).length, 5, 'five wrong secrets checked (invalid_client)');
  const refused = answers.filter((a) => a.status === 429);
  t.equal(refused.length, 15, 'fifteen refused unchecked');
  t.same(refused[0].json.error, 'invalid_client');
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: server.config.entra.clientId, client_secret: 'wrong-again-0123456789' }).toString(),
  });
  t.equal(res.status, 429, 'client_secret_post is counted against the same client');
  t.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After in seconds');

  const perIp = await startServer(t, { CLIENT_AUTH_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_IP: '2' });
  await seedTenant(perIp, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tokens = await authorizeOverHttp(perIp, { domain: 'acme', username: 'admin', password: PW });
  const good = await tokenRequest(perIp, { grant_type: 'authorization_code', code: tokens.code, redirect_uri: DEFAULT_REDIRECT });
  t.equal(good.status, 200, 'the right secret works and is not counted');
  const seq: number[] = [];
  for (let i = 0; i < 3; i++) seq.push((await tokenRequest(perIp, { grant_type: 'client_credentials' }, { method: 'basic', secret: `wrong-${i}-0123456789` })).status);
  t.same(seq, [401, 401, 429], 'per-IP limit');

  // Entra's client id is public: guesses from one address must not lock Entra out elsewhere.
  const proxied = await startServer(t, { CLIENT_AUTH_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '100', TRUST_PROXY: '127.0.0.1' });
  await seedTenant(proxied, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const from = (ip: string, secret: string) =>
    fetch(`${proxied.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: proxied.config.entra.clientId, client_secret: secret }).toString(),
    }).then((r) => r.status);
  const attacker: number[] = [];
  for (let i = 0; i < 5; i++) attacker.push(await from('203.0.113.7', `guess-${i}-0123456789`));
  t.same(attacker, [401, 401, 401, 429, 429], 'the guessing address is stopped after three');
  t.equal(await from('198.51.100.20', 'wrong-but-elsewhere-0123'), 401, 'another address is still checked, not refused unchecked');
  const entra = await authorizeOverHttp(proxied, { domain: 'acme', username: 'admin', password: PW });
  const exchange = await fetch(`${proxied.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.21' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: entra.code, redirect_uri: DEFAULT_REDIRECT, client_id: proxied.config.entra.clientId, client_secret: proxied.config.entra.clientSecrets[0] }).toString(),
  });
  t.equal(exchange.status, 200, "Entra's own exchange from its address still works");
});

t.test('console change-password form: wrong current passwords are limited', async (t) => {
  const server = await startServer(t, { LOGIN_MAX_FAILURES_PER_USER: '3' });
  const { tenant, managers } = await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const { jar, csrf } = await consoleAs(server.app.db, server.url, managers[0].id, tenant.id);
  const change = (current: string, next: string) => jar.post('/console/password', { _csrf: csrf, current, password: next, confirm: next });
  const weak = await change('wrong-current-pw', 'password1234');
  t.equal(weak.status, 400, 'a breached new password is refused before the current one is checked');
  t.match(await weak.text(), /commonly used or breached/);
  const tries: number[] = [];
  for (let i = 0; i < 4; i++) tries.push((await change(`wrong-current-${i}`, 'a brand new passphrase')).status);
  t.same(tries, [400, 400, 400, 429], 'three wrong current passwords, then refused unchecked');
  const right = await change(PW, 'a brand new passphrase');
  t.equal(right.status, 429, 'even the right one, until the window ends');
  t.ok(Number(right.headers.get('retry-after')) > 0);
});

t.test('an initial or reset password cannot authorize Entra before it is changed', async (t) => {
  const server = await startServer(t);
  const { tenant, managers } = await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW, mustChangePassword: true }] });
  const attempt = await signInForm(server, 'acme');
  const refused = await attempt('admin', PW);
  t.equal(refused.status, 403);
  const html = await refused.text();
  t.match(html, /Change your password before connecting Microsoft Entra ID/);
  t.match(html, new RegExp(`${server.url}/console`), 'the page says where to change it');

  // The console's forced change clears the flag; then Authorize works.
  const { jar, csrf } = await consoleAs(server.app.db, server.url, managers[0].id, tenant.id);
  const changed = await jar.post('/console/password', { _csrf: csrf, current: PW, password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
  t.equal(changed.status, 303);
  const ok = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: 'a brand new passphrase' });
  t.ok(ok.code, 'authorized after the change');

  // An operator reset sets the flag again.
  await setPassword({ db: server.app.db, config: server.config }, tenant.id, managers[0].id, 'operator chosen words', { mustChangePassword: true });
  const again = await signInForm(server, 'acme');
  t.equal((await again('admin', 'operator chosen words')).status, 403, 'reset password refused for Entra');
});
