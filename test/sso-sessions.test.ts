// End-user sessions: cookie attributes, stored hashed, /my content, CSRF-safe sign-out (here and
// everywhere), idle and absolute limits, and SCIM deprovisioning (active=false, DELETE) through the
// real SCIM API ending live sessions at their next request.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { groupBody, patchBody } from './helpers/scim.ts';
import { postAcs, provision, samlTenant } from './helpers/fake-entra-common.ts';
import { loadConfig } from '../src/config.ts';
import { cookieOptions, sessionCookieName } from '../src/sso/sessions.ts';
import { recentSsoEvents } from '../src/sso/events.ts';

const TID = 'aaaaaaaa-1111-4000-8000-00000000000a';

t.test('end-user sessions', async (t) => {
  const server = await startServer(t, { SSO_SESSION_IDLE_TIMEOUT: '600' });
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID(), displayName: 'Alice' };
  const erin = { upn: 'erin@acme.test', oid: crypto.randomUUID() };
  const aliceId = await provision(A, alice.upn, { emails: [{ type: 'work', value: 'alice@acme.test', primary: true }] });
  await provision(A, erin.upn);
  t.equal((await A.scim.req('POST', '/Groups', groupBody('Finance', { members: [{ value: aliceId }] }))).status, 201);

  const signIn = async (user: { upn: string; oid: string }) => {
    const jar = new CookieJar();
    const res = await postAcs(jar, A.urls.acs_url, A.idp.response({ user, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }));
    t.equal(res.status, 303, `${user.upn} signed in`);
    return jar;
  };
  const my = async (jar: CookieJar) => {
    const res = await jar.get(`${server.url}/my`);
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

  await t.test('cookie, hashed storage and /my', async (t) => {
    const jar = await signIn(alice);
    const value = jar.cookies.get('sl_user')!;
    t.ok(value, 'sl_user cookie, separate from the console cookie');
    const rows = await db.endUserSession.findMany({ where: { userId: aliceId } });
    t.equal(rows.length, 1);
    t.equal(rows[0].id, crypto.createHash('sha256').update(value).digest('hex'), 'stored as its SHA-256');
    t.notOk(JSON.stringify(rows).includes(value), 'raw cookie not in the database');
    const other = await signIn(alice);
    const page = await my(jar);
    t.equal(page.status, 200);
    t.match(page.html, /data-username>alice@acme\.test</);
    t.match(page.html, '<li>Finance</li>', 'groups from SCIM memberships');
    t.equal((page.html.match(/SAML sign-in at/g) ?? []).length, 2, 'both active sessions listed');
    t.match(page.html, '(this browser)');
    // A cookie of another user's session cannot be used to reach someone else's page; erin sees erin.
    const e = await signIn(erin);
    t.match((await my(e)).html, /data-username>erin@acme\.test</);

    // Sign-out: refused without the page's token or from another origin, accepted with both.
    let res = await jar.post(`${server.url}/my/logout`, {});
    t.equal(res.status, 403, 'no CSRF token');
    res = await jar.fetch(`${server.url}/my/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: `_csrf=${csrfOf(page.html)}` });
    t.equal(res.status, 403, 'foreign Origin');
    t.equal((await my(jar)).status, 200, 'still signed in after refused sign-outs');
    res = await jar.post(`${server.url}/my/logout`, { _csrf: csrfOf(page.html) });
    t.equal(res.status, 303, "then on to Entra's logout URL");
    t.match(res.headers.getSetCookie().join(), /sl_user=;/, 'cookie cleared');
    const after = await my(jar);
    t.equal(after.status, 303);
    t.equal(after.location, '/sso/start');
    t.equal((await my(other)).status, 200, 'the other browser keeps its session');
    t.match((await recentSsoEvents(db, A.id, 1))[0], { outcome: 'logout', userId: aliceId });

    // Sign out everywhere ends every session of the user, and only theirs.
    const again = await signIn(alice);
    res = await again.post(`${server.url}/my/logout`, { _csrf: csrfOf((await my(again)).html), everywhere: '1' });
    t.equal(res.status, 303);
    t.equal((await my(other)).status, 303, 'other browser signed out too');
    t.equal((await my(e)).status, 200, "erin's session untouched");
  });

  await t.test('idle and absolute limits', async (t) => {
    const jar = await signIn(alice);
    const id = crypto.createHash('sha256').update(jar.cookies.get('sl_user')!).digest('hex');
    await db.endUserSession.update({ where: { id }, data: { lastSeenAt: new Date(Date.now() - 11 * 60_000) } });
    t.equal((await my(jar)).status, 303, 'idle longer than SSO_SESSION_IDLE_TIMEOUT');
    t.equal(await db.endUserSession.count({ where: { id } }), 0, 'row removed');
    const jar2 = await signIn(alice);
    const id2 = crypto.createHash('sha256').update(jar2.cookies.get('sl_user')!).digest('hex');
    await db.endUserSession.update({ where: { id: id2 }, data: { expiresAt: new Date(Date.now() - 1000) } });
    t.equal((await my(jar2)).status, 303, 'past the absolute end');
  });

  await t.test('SCIM deprovisioning ends live sessions at the next request', async (t) => {
    const jar1 = await signIn(alice);
    const jar2 = await signIn(alice);
    const e = await signIn(erin);
    t.equal((await my(jar1)).status, 200);
    // Entra's soft delete: PATCH active "False" (string, capitalised).
    let r = await A.scim.req('PATCH', `/Users/${aliceId}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }));
    t.equal(r.status, 200, r.text);
    t.equal((await my(jar1)).status, 303, 'active=false: first browser out');
    t.equal((await my(jar2)).status, 303, 'active=false: second browser out');
    t.equal((await my(e)).status, 200, 'other users unaffected');
    r = await A.scim.req('PATCH', `/Users/${aliceId}`, patchBody({ op: 'Replace', path: 'active', value: true }));
    t.equal(r.status, 200);
    t.equal((await my(jar1)).status, 303, 're-enabling does not revive an ended session');
    const jar3 = await signIn(alice);
    t.equal((await my(jar3)).status, 200);
    t.equal((await A.scim.req('DELETE', `/Users/${aliceId}`)).status, 204);
    t.equal((await my(jar3)).status, 303, 'deleted user: session ends');
  });

  await t.test('SAML Single Logout from Entra ends the session of that browser only', async (t) => {
    const jar = await signIn(erin);
    const other = await signIn(erin);
    // Entra's LogoutRequest over HTTP-Redirect (unsigned by default): local sign-out of this browser.
    const logoutRequest = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_${crypto.randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${A.idp.issuer}</Issuer><NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${erin.upn}</NameID></samlp:LogoutRequest>`;
    const res = await jar.get(`${A.urls.logout_url}?SAMLRequest=${encodeURIComponent(zlib.deflateRawSync(logoutRequest).toString('base64'))}`);
    t.equal(res.status, 200);
    t.match(await res.text(), 'You are signed out');
    t.equal((await my(jar)).status, 303, 'this browser signed out');
    t.equal((await my(other)).status, 200, 'another browser of the same user stays signed in');
    t.match((await recentSsoEvents(db, A.id, 1))[0], { outcome: 'logout', reason: 'single logout from Entra' });
  });

  t.test('cookie attributes under https', async (t) => {
    const https = loadConfig({ PUBLIC_URL: 'https://sso.example.test' });
    t.equal(sessionCookieName(https), '__Host-sl_user');
    t.same(cookieOptions(https), { path: '/', httpOnly: true, sameSite: 'lax', secure: true });
    t.same(cookieOptions(server.config), { path: '/', httpOnly: true, sameSite: 'lax', secure: false });
    t.end();
  });
});
