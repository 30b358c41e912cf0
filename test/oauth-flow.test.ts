// Issue 2: the Entra admin's whole path over real HTTP on loopback, then every token endpoint.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import {
  CookieJar,
  DEFAULT_REDIRECT,
  authorizeOverHttp,
  authorizeUrl,
  csrfOf,
  follow,
  obtainTokens,
  seedTenant,
  tokenRequest,
} from './helpers/oauth.ts';

const PW = 'Correct-Horse-Battery-9';
const [SECRET_A, SECRET_B] = ['current-secret-0123456789abcdef', 'previous-secret-0123456789abcdef'];

t.test('authorize → domain → sign in → consent → code → token → refresh → revoke → introspect', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, { domain: 'acme', name: 'Acme Corp', managers: [{ username: 'alice', password: PW, role: 'admin' }] });
  const host = new URL(server.url).hostname;

  // Step by step, checking each page.
  const jar = new CookieJar();
  const state = 'st/ä+=&x y';
  const start = await jar.get(authorizeUrl(server, { state }));
  t.equal(start.status, 303, 'authorize redirects to the interaction');
  const interactionUrl = new URL(start.headers.get('location')!, server.url).toString();
  t.match(interactionUrl, /\/interaction\/[\w-]+$/);
  const setCookies = start.headers.getSetCookie().join('\n');
  t.match(setCookies, /httponly/i, 'cookies are HttpOnly');
  t.match(setCookies, /samesite=lax/i, 'cookies are SameSite=Lax');
  t.notMatch(setCookies, /;\s*secure/i, 'no Secure flag on http');

  let page = await jar.get(interactionUrl);
  let html = await page.text();
  t.equal(page.status, 200);
  t.match(html, /name="domain"/, 'Go-to-domain form');
  t.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  t.equal(page.headers.get('x-content-type-options'), 'nosniff');
  t.equal(page.headers.get('cache-control'), 'no-store');
  t.notMatch(html, /(href|src)="(https?:)?\/\//, 'no external assets');

  // `acme.<our host>` form of the domain.
  let res = await jar.post(`${interactionUrl}/domain`, { _csrf: csrfOf(html), domain: `acme.${host}` });
  t.equal(res.status, 303);
  page = await jar.get(interactionUrl);
  html = await page.text();
  t.match(html, /name="username"/, 'sign-in form');
  t.match(html, /name="password"/);
  t.match(html, /Acme Corp/);
  t.match(html, /href="\/interaction\/[\w-]+\?step=domain"/, 'link back to change the domain');

  res = await jar.post(`${interactionUrl}/login`, { _csrf: csrfOf(html), username: 'ALICE', password: PW });
  t.equal(res.status, 303);
  page = await jar.get(interactionUrl);
  html = await page.text();
  t.match(html, /Microsoft Entra ID/, 'consent names the client');
  t.match(html, /Acme Corp/, 'consent names the tenant');
  t.match(html, /users/);
  t.match(html, /groups/);
  t.match(html, />Allow</);
  t.match(html, />Deny</);

  res = await jar.post(`${interactionUrl}/consent`, { _csrf: csrfOf(html), decision: 'allow' });
  t.equal(res.status, 303);
  const done = await follow(jar, server.url, res.headers.get('location')!, DEFAULT_REDIRECT);
  const back = new URL(done.url);
  t.equal(back.origin + back.pathname, DEFAULT_REDIRECT, 'back to the registered redirect URI');
  t.equal(back.searchParams.get('state'), state, 'state returned byte for byte');
  const code = back.searchParams.get('code')!;
  t.ok(code, 'authorization code');

  // Code → tokens with client_secret_post and the current secret.
  const tok = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: DEFAULT_REDIRECT, client_id: server.config.entra.clientId, client_secret: SECRET_A }),
  });
  t.equal(tok.status, 200);
  t.equal(tok.headers.get('cache-control'), 'no-store');
  t.match(tok.headers.get('content-type') ?? '', /application\/json/);
  const tokens = (await tok.json()) as Record<string, string | number>;
  t.equal(tokens.token_type, 'Bearer');
  t.equal(tokens.expires_in, 3600, 'expires_in is the configured access token lifetime');
  t.ok(tokens.refresh_token, 'refresh token issued without offline_access');
  t.ok(String(tokens.access_token).length < 1024 && String(tokens.refresh_token).length < 1024, 'tokens under 1 KB');
  t.match(String(tokens.scope), /\bscim\b/);

  const resolved = await server.app.oauth.resolveToken(String(tokens.access_token));
  t.match(resolved, { ok: true, clientId: server.config.entra.clientId, scope: /scim/ });

  // Refresh with client_secret_basic and the second (previous) secret.
  const r1 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) }, { method: 'basic', secret: SECRET_B });
  t.equal(r1.status, 200, 'refresh with Basic auth and the second secret');
  t.ok(r1.json.access_token && r1.json.access_token !== tokens.access_token, 'new access token');
  t.ok(r1.json.refresh_token, 'rotated refresh token returned');
  t.equal(r1.json.expires_in, 3600);

  // A lost response: the previous refresh token still works inside the grace window.
  const r2 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) });
  t.equal(r2.status, 200, 'previous refresh token accepted within the grace period');
  const latest = String(r2.json.refresh_token);
  const r3 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: latest });
  t.equal(r3.status, 200, 'newest refresh token keeps working');
  const conn = await server.app.db.connection.findFirst({ where: { grantId: resolved.ok ? resolved.grantId! : '' } });
  t.ok(conn?.lastRefreshAt, 'connection records the last refresh');
  t.equal(conn?.authorizedBy, 'alice', 'connection records who authorized');

  // Introspection, then revocation of the access token.
  const at = String(r3.json.access_token);
  const intro = async (token: string) => {
    const r = await fetch(`${server.url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: server.config.entra.clientId, client_secret: SECRET_A }),
    });
    t.equal(r.status, 200);
    return (await r.json()) as Record<string, unknown>;
  };
  const i1 = await intro(at);
  t.equal(i1.active, true, 'introspection: active');
  t.equal(i1.client_id, server.config.entra.clientId);
  t.match(String(i1.scope), /scim/);
  t.ok(typeof i1.exp === 'number');

  t.match(await server.app.oauth.resolveToken(at), { ok: true }, 'resolves (and is now cached)');
  const rev = await fetch(`${server.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${server.config.entra.clientId}:${SECRET_A}`).toString('base64')}` },
    body: new URLSearchParams({ token: at, token_type_hint: 'access_token' }),
  });
  t.equal(rev.status, 200, 'revocation');
  t.match(await server.app.oauth.resolveToken(at), { ok: false }, 'revoked token no longer resolves, cache or not');
  t.equal((await intro(at)).active, false, 'introspection: inactive after revocation');

  // RFC 7009 §2.1: revoking a token may revoke the related ones; the provider drops every token
  // of the grant, so this grant's refresh token is gone too.
  const afterAt = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(r3.json.refresh_token) });
  t.equal(afterAt.json.error, 'invalid_grant', 'tokens of the grant revoked with the access token');

  // Revoking a refresh token ends the whole grant and marks the connection revoked.
  const fresh = await obtainTokens(server, { domain: 'acme', username: 'alice', password: PW });
  const freshRes = await server.app.oauth.resolveToken(fresh.access_token);
  t.match(freshRes, { ok: true });
  const revRefresh = await fetch(`${server.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: fresh.refresh_token!, client_id: server.config.entra.clientId, client_secret: SECRET_A }),
  });
  t.equal(revRefresh.status, 200, 'refresh token revoked');
  const after = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token! });
  t.equal(after.json.error, 'invalid_grant', 'revoked refresh token refused');
  t.match(await server.app.oauth.resolveToken(fresh.access_token), { ok: false }, 'access tokens of the revoked grant stop resolving');
  const revoked = await server.app.db.connection.findFirst({ where: { grantId: freshRes.ok ? freshRes.grantId! : '' } });
  t.ok(revoked?.revokedAt, 'connection marked revoked when its grant is revoked');
});

t.test('no scope, openid scope, and PKCE when sent', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, { domain: 'beta', managers: [{ username: 'root', password: PW }] });
  const plain = await obtainTokens(server, { domain: 'beta', username: 'root', password: PW });
  t.equal(plain.scope, 'scim', 'plain RFC 6749 request (no scope, no PKCE) yields the scim scope');

  const withOpenid = await obtainTokens(server, { domain: 'beta', username: 'root', password: PW, scope: 'openid' });
  t.match(withOpenid.scope, /scim/, 'scim granted even when Entra asks only for openid');
  t.match(await server.app.oauth.resolveToken(withOpenid.access_token), { ok: true });

  const verifier = 'v'.repeat(20) + 'erifier-0123456789-abcdefghijk';
  const crypto = await import('node:crypto');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const a = await authorizeOverHttp(server, { domain: 'beta', username: 'root', password: PW, params: { code_challenge: challenge, code_challenge_method: 'S256' } });
  const missing = await tokenRequest(server, { grant_type: 'authorization_code', code: a.code, redirect_uri: DEFAULT_REDIRECT });
  t.equal(missing.json.error, 'invalid_grant', 'PKCE honoured: verifier required once a challenge was sent');
  const b = await authorizeOverHttp(server, { domain: 'beta', username: 'root', password: PW, params: { code_challenge: challenge, code_challenge_method: 'S256' } });
  const ok = await tokenRequest(server, { grant_type: 'authorization_code', code: b.code, redirect_uri: DEFAULT_REDIRECT, code_verifier: verifier });
  t.equal(ok.status, 200, 'correct verifier accepted');
});

t.test('refusals at the authorization endpoint', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }, { username: 'viewer', password: PW, role: 'viewer' }] });
  await seedTenant(server, { domain: 'frozen', enabled: false, managers: [{ username: 'admin', password: PW }] });

  for (const [what, url] of [
    ['unregistered redirect_uri', authorizeUrl(server, { redirectUri: 'https://evil.example/TokenAuthorize' })],
    ['redirect_uri differing only in case', authorizeUrl(server, { redirectUri: 'https://portal.azure.com/tokenauthorize' })],
    ['unknown client', authorizeUrl(server, { clientId: 'who-is-this' })],
  ] as const) {
    const r = await fetch(url, { redirect: 'manual' });
    t.equal(r.status, 400, `${what}: 400`);
    t.equal(r.headers.get('location'), null, `${what}: never a redirect`);
    t.match(r.headers.get('content-type') ?? '', /text\/html/, `${what}: an HTML page`);
    const html = await r.text();
    t.match(html, /Sign-in cannot continue/, `${what}: explained on the page`);
    t.notMatch(html, /evil\.example/, `${what}: the bad URI is not linked`);
  }

  const deny = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW, decision: 'deny', state: 'keep-me' });
  t.equal(deny.error, 'access_denied', 'Deny → access_denied');
  t.equal(deny.state, 'keep-me', 'Deny keeps the original state');
  t.equal(deny.code, '');

  // Walk to the login page of a fresh interaction.
  async function loginPage(domain: string) {
    const jar = new CookieJar();
    const first = await follow(jar, server.url, authorizeUrl(server), DEFAULT_REDIRECT);
    const res = await jar.post(`${first.url}/domain`, { _csrf: csrfOf(first.html), domain });
    return { jar, url: first.url, res, html: res.status === 303 ? await (await jar.get(first.url)).text() : await res.text() };
  }

  const unknown = await loginPage('nosuchdomain');
  t.equal(unknown.res.status, 404, 'unknown domain stays on the page');
  t.match(unknown.html, /could not find a SecureLogin domain called &#34;nosuchdomain&#34;/);
  t.match(unknown.html, /name="domain"/);

  const frozen = await loginPage('frozen');
  t.equal(frozen.res.status, 403, 'disabled domain stays on the page');
  t.match(frozen.html, /disabled/);

  const v = await loginPage(' ACME ');
  const vr = await v.jar.post(`${v.url}/login`, { _csrf: csrfOf(v.html), username: 'viewer', password: PW });
  t.equal(vr.status, 403, 'viewer refused for Entra');
  t.match(await vr.text(), /does not have admin permission/);

  const w = await loginPage('acme');
  const wr = await w.jar.post(`${w.url}/login`, { _csrf: csrfOf(w.html), username: 'admin', password: 'wrong-password-123' });
  t.equal(wr.status, 401);
  const wrongHtml = await wr.text();
  const ur = await w.jar.post(`${w.url}/login`, { _csrf: csrfOf(w.html), username: 'nobody', password: 'wrong-password-123' });
  t.equal(ur.status, 401);
  t.match(wrongHtml, /The username or password is not correct/, 'generic message');
  t.match(await ur.text(), /The username or password is not correct/, 'same message for an unknown user');

  // CSRF: missing or foreign token, and a foreign Origin.
  const c = await loginPage('acme');
  const noToken = await c.jar.post(`${c.url}/login`, { username: 'admin', password: PW });
  t.equal(noToken.status, 403, 'missing CSRF token refused');
  const badToken = await c.jar.post(`${c.url}/login`, { _csrf: 'x'.repeat(43), username: 'admin', password: PW });
  t.equal(badToken.status, 403, 'wrong CSRF token refused');
  const foreign = await c.jar.fetch(`${c.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    body: new URLSearchParams({ _csrf: csrfOf(c.html), username: 'admin', password: PW }).toString(),
  });
  t.equal(foreign.status, 403, 'cross-origin form refused');
  // Without the interaction cookie (another browser) the page is refused too.
  const stranger = await fetch(`${c.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(c.html), username: 'admin', password: PW }).toString(),
    redirect: 'manual',
  });
  t.equal(stranger.status, 400, 'no interaction cookie → refused');
  t.match(await stranger.text(), /expired/);
  const unknownUid = await fetch(`${server.url}/interaction/does-not-exist`);
  t.equal(unknownUid.status, 400, 'unknown interaction → page, not a crash');
  const tooBig = await c.jar.fetch(`${c.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `_csrf=${csrfOf(c.html)}&username=admin&password=${'x'.repeat(40_000)}`,
  });
  t.equal(tooBig.status, 413, 'oversized form refused');
  t.match(tooBig.headers.get('content-type') ?? '', /text\/html/, 'as a page');
});

t.test('token endpoint refusals', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });

  const a = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW });
  const wrong = await tokenRequest(server, { grant_type: 'authorization_code', code: a.code, redirect_uri: DEFAULT_REDIRECT }, { secret: 'not-the-secret' });
  t.equal(wrong.status, 401);
  t.equal(wrong.json.error, 'invalid_client', 'wrong secret');
  const wrongBasic = await tokenRequest(server, { grant_type: 'authorization_code', code: a.code, redirect_uri: DEFAULT_REDIRECT }, { method: 'basic', secret: 'not-the-secret' });
  t.equal(wrongBasic.status, 401);
  const unknownClient = await tokenRequest(server, { grant_type: 'authorization_code', code: a.code, redirect_uri: DEFAULT_REDIRECT }, { clientId: 'nobody', secret: 'x' });
  t.equal(unknownClient.json.error, 'invalid_client', 'unknown client');

  const mismatch = await tokenRequest(server, { grant_type: 'authorization_code', code: a.code, redirect_uri: 'https://aad.portal.azure.com/TokenAuthorize' });
  t.equal(mismatch.json.error, 'invalid_grant', 'mismatched redirect_uri');

  const b = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW });
  const first = await tokenRequest(server, { grant_type: 'authorization_code', code: b.code, redirect_uri: DEFAULT_REDIRECT });
  t.equal(first.status, 200);
  const replay = await tokenRequest(server, { grant_type: 'authorization_code', code: b.code, redirect_uri: DEFAULT_REDIRECT });
  t.equal(replay.status, 400);
  t.equal(replay.json.error, 'invalid_grant', 'code replay refused');
  t.match(await server.app.oauth.resolveToken(String(first.json.access_token)), { ok: false }, 'code replay revokes what the code produced (RFC 6749 §4.1.2)');

  const other = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW, redirectUri: 'https://entra.microsoft.com/TokenAuthorize' });
  const viaOther = await tokenRequest(server, { grant_type: 'authorization_code', code: other.code, redirect_uri: 'https://entra.microsoft.com/TokenAuthorize' });
  t.equal(viaOther.status, 200, 'every registered portal redirect URI works');
  const unsupported = await tokenRequest(server, { grant_type: 'password', username: 'a', password: 'b' });
  t.equal(unsupported.json.error, 'unsupported_grant_type');
});

t.test('refresh grace 0: the previous refresh token is refused after rotation', async (t) => {
  const server = await startServer(t, { REFRESH_TOKEN_GRACE: '0' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tokens = await obtainTokens(server, { domain: 'acme', username: 'admin', password: PW });
  const r1 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  t.equal(r1.status, 200);
  const again = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  t.equal(again.json.error, 'invalid_grant', 'consumed refresh token refused once the grace is over');
});

t.test('login throttling per tenant+username and per IP', async (t) => {
  const server = await startServer(t, { LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_IP: '6', LOGIN_WINDOW_SECONDS: '600' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }, { username: 'other', password: PW }] });
  const jar = new CookieJar();
  const first = await follow(jar, server.url, authorizeUrl(server), DEFAULT_REDIRECT);
  await jar.post(`${first.url}/domain`, { _csrf: csrfOf(first.html), domain: 'acme' });
  const csrf = csrfOf(first.html);
  const attempt = (username: string, password: string) => jar.post(`${first.url}/login`, { _csrf: csrf, username, password });
  for (let i = 0; i < 3; i++) t.equal((await attempt('admin', 'wrong-password-1')).status, 401);
  const blocked = await attempt('admin', PW);
  t.equal(blocked.status, 429, 'throttled even with the right password');
  const wait = Number(blocked.headers.get('retry-after'));
  t.ok(wait > 0 && wait <= 600, 'Retry-After in seconds');
  t.match(await blocked.text(), /Too many failed sign-in attempts[\s\S]*try again in 10 minutes/);
  // Another user on the same tenant is not blocked by admin's counter, until the IP limit.
  for (let i = 0; i < 3; i++) t.equal((await attempt('other', 'wrong-password-1')).status, 401, 'other user not blocked by admin counter');
  const ipBlocked = await attempt('someone-else', 'wrong-password-1');
  t.equal(ipBlocked.status, 429, 'per-IP limit reached');
});
