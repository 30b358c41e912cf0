// Console sign-in over real HTTP through our own provider: /console → authorize (code + PKCE) →
// Go-to-domain → sign-in → callback → session; forced password change; state/flow refusals;
// sign-out through the provider's end-session endpoint.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { Jar, csrfFrom, seedTenant } from './helpers/console.ts';
import { createManagerWithPassword } from '../src/accounts/index.ts';

const PW = 'Correct-Horse-42';

/** Follows same-origin redirects (the browser's job), storing cookies, until a non-redirect. */
async function follow(jar: Jar, res: Response, hops: string[] = []): Promise<{ res: Response; hops: string[] }> {
  while (res.status >= 300 && res.status < 400) {
    const loc = res.headers.get('location')!;
    hops.push(loc);
    res = await jar.get(loc);
  }
  return { res, hops };
}

async function signIn(jar: Jar, domain: string, username: string, password: string, start = '/console') {
  const first = await follow(jar, await jar.get(start));
  let html = await first.res.text();
  const authorize = first.hops.find((h) => h.includes('/oauth/authorize'))!;
  const domainAction = /action="(\/interaction\/[^"]+\/domain)"/.exec(html)![1];
  let r = await jar.post(domainAction, { _csrf: csrfFrom(html), domain });
  const login = await follow(jar, r);
  html = await login.res.text();
  const loginAction = /action="(\/interaction\/[^"]+\/login)"/.exec(html)![1];
  r = await jar.post(loginAction, { _csrf: csrfFrom(html), username, password });
  const done = await follow(jar, r);
  return { authorize, hops: [...first.hops, ...done.hops], res: done.res };
}

t.test('console sign-in through the provider', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const deps = { db, config: s.config };
  const a = await seedTenant(db, 'acme', 'Acme Corp');
  const b = await seedTenant(db, 'globex', 'Globex');
  await createManagerWithPassword(deps, { tenantId: a, username: 'alice', password: PW, role: 'admin' });
  await createManagerWithPassword(deps, { tenantId: b, username: 'alice', password: 'Other-Tenant-Pw-1', role: 'admin' });

  t.test('code + PKCE flow ends in a console session for the right tenant', async (t) => {
    const jar = new Jar(s.url);
    const { authorize, hops, res } = await signIn(jar, 'acme', 'alice', PW, '/console/users?q=x');
    const u = new URL(authorize, s.url);
    t.equal(u.searchParams.get('client_id'), 'securelogin-console');
    t.equal(u.searchParams.get('code_challenge_method'), 'S256');
    t.equal(u.searchParams.get('scope'), 'openid');
    t.equal(u.searchParams.get('redirect_uri'), `${s.url}/console/callback`);
    t.ok(u.searchParams.get('nonce') && u.searchParams.get('state'));
    t.ok(hops.some((h) => h.startsWith(`${s.url}/console/callback?code=`) || h.startsWith('/console/callback?code=')), 'provider redirected to the callback');
    t.equal(res.status, 200);
    const html = await res.text();
    t.match(html, 'Acme Corp');
    t.match(html, '<h1>Users</h1>', 'returned to the page first asked for');
    t.ok(jar.cookies.get('sl_console'), 'session cookie');
    t.notOk(jar.cookies.get('sl_console_flow'), 'flow cookie cleared');
    const sessions = await db.consoleSession.findMany({ where: { tenantId: a } });
    t.equal(sessions.length, 1);
    t.not(sessions[0].id, jar.cookies.get('sl_console'), 'only the hash is stored');
    t.ok(sessions[0].idToken, 'id token kept for id_token_hint');

    // Cookie attributes: HttpOnly, SameSite=Lax, scoped to /console.
    const start = await fetch(`${s.url}/console/login`, { redirect: 'manual' });
    const flow = start.headers.getSetCookie().find((c) => c.startsWith('sl_console_flow='))!;
    t.match(flow, /HttpOnly/i);
    t.match(flow, /SameSite=Lax/i);
    t.match(flow, /Path=\/console/i);

    // Sign out: session deleted, provider's end-session endpoint with id_token_hint, then signed-out page.
    const overview = await (await jar.get('/console')).text();
    const out = await jar.post('/console/logout', { _csrf: csrfFrom(overview) });
    t.equal(out.status, 303);
    const end = new URL(out.headers.get('location')!, s.url);
    t.equal(end.pathname, '/oauth/logout');
    t.ok(end.searchParams.get('id_token_hint'));
    t.equal(end.searchParams.get('post_logout_redirect_uri'), `${s.url}/console/signed-out`);
    t.equal(await db.consoleSession.count({ where: { tenantId: a } }), 0);
    const confirm = await follow(jar, await jar.get(end.pathname + end.search));
    const cHtml = await confirm.res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(cHtml)![1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(cHtml)![1];
    const fin = await follow(jar, await jar.post(action, { xsrf, logout: 'yes' }));
    t.equal(new URL(fin.hops[fin.hops.length - 1], s.url).pathname, '/console/signed-out');
    t.match(await fin.res.text(), 'You are signed out');
    t.equal((await jar.get('/console')).status, 303, 'console needs a new sign-in');
  });

  t.test('same username in another tenant signs in to that tenant only', async (t) => {
    const jar = new Jar(s.url);
    const { res } = await signIn(jar, 'globex', 'alice', 'Other-Tenant-Pw-1');
    const html = await res.text();
    t.match(html, 'Globex');
    t.notMatch(html, 'Acme Corp');
  });

  t.test('viewer signs in read-only; new manager must change the initial password first', async (t) => {
    await createManagerWithPassword(deps, { tenantId: a, username: 'vera', password: 'Initial-Pass-123', role: 'viewer', mustChangePassword: true });
    const jar = new Jar(s.url);
    const { res, hops } = await signIn(jar, 'acme', 'vera', 'Initial-Pass-123');
    t.equal(hops[hops.length - 1], '/console/password');
    const html = await res.text();
    t.match(html, 'Choose your own password to continue');
    const r = await jar.post('/console/password', { _csrf: csrfFrom(html), current: 'Initial-Pass-123', password: 'Own-Secret-Pass-88', confirm: 'Own-Secret-Pass-88' });
    t.equal(r.headers.get('location'), '/console');
    const overview = await (await jar.get('/console')).text();
    t.match(overview, 'badge-viewer');
    t.notMatch(overview, 'Disconnect');
  });

  t.test('callback refuses a missing or wrong state and a replayed flow', async (t) => {
    const jar = new Jar(s.url);
    let r = await jar.get('/console/callback?code=abc&state=xyz');
    t.equal(r.status, 400, 'no flow cookie');
    t.match(await r.text(), 'expired or was opened in another browser');
    await jar.get('/console/login');
    t.ok(jar.cookies.get('sl_console_flow'));
    r = await jar.get('/console/callback?code=abc&state=wrong');
    t.equal(r.status, 400, 'state mismatch');
    t.notOk(jar.cookies.get('sl_console'));
    // A forged flow cookie is refused as well.
    jar.cookies.set('sl_console_flow', 'eyJzdGF0ZSI6IngifQ.AAAA');
    r = await jar.get('/console/callback?code=abc&state=x');
    t.equal(r.status, 400);
    // A provider error comes back as a page, not a session.
    await jar.get('/console/login');
    const state = JSON.parse(Buffer.from(jar.cookies.get('sl_console_flow')!.split('.')[0], 'base64url').toString()).state;
    r = await jar.get(`/console/callback?error=access_denied&state=${state}`);
    t.equal(r.status, 400);
    t.match(await r.text(), 'cancelled or refused');
  });

  t.test('a wrong code (e.g. replayed) is refused at the token endpoint', async (t) => {
    const jar = new Jar(s.url);
    await jar.get('/console/login');
    const state = JSON.parse(Buffer.from(jar.cookies.get('sl_console_flow')!.split('.')[0], 'base64url').toString()).state;
    const r = await jar.get(`/console/callback?code=not-a-real-code&state=${state}`);
    t.equal(r.status, 400);
    t.match(await r.text(), 'could not be verified');
    t.notOk(jar.cookies.get('sl_console'));
  });

  t.test('signing in again replaces the earlier session; unknown console paths get a page', async (t) => {
    const jar = new Jar(s.url);
    await signIn(jar, 'acme', 'alice', PW);
    const first = jar.cookies.get('sl_console');
    const before = await db.consoleSession.count();
    await signIn(jar, 'acme', 'alice', PW, '/console/login');
    t.not(jar.cookies.get('sl_console'), first);
    t.equal(await db.consoleSession.count(), before, 'old session row deleted');
    const r = await jar.get('/console/no-such-page');
    t.equal(r.status, 404);
    t.match(r.headers.get('content-type') ?? '', 'text/html');
    t.match(await r.text(), 'does not exist');
  });

  t.test('open redirect via next is not possible', async (t) => {
    const r = await fetch(`${s.url}/console/login?next=https://evil.test/`, { redirect: 'manual' });
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('sl_console_flow='))!;
    const v = decodeURIComponent(cookie.split(';')[0].split('=')[1]);
    const flow = JSON.parse(Buffer.from(v.split('.')[0], 'base64url').toString());
    t.equal(flow.next, '/console');
  });
});

t.test('console cookies are Secure when PUBLIC_URL is https', async (t) => {
  const s = await startServer(t, { PUBLIC_URL: 'https://login.example.test' });
  const r = await fetch(`${s.url.replace('https://login.example.test', `http://127.0.0.1:${s.config.port}`)}/console/login`, { redirect: 'manual' });
  const flow = r.headers.getSetCookie().find((c) => c.startsWith('sl_console_flow='))!;
  t.match(flow, /;\s*Secure/i);
  t.match(r.headers.get('location') ?? '', /^https:\/\/login\.example\.test\/oauth\/authorize\?/);
});
