// Single logout with Entra: SP-initiated SAML SLO (POST /my/logout → LogoutRequest over
// HTTP-Redirect → Entra's LogoutResponse with its login.microsoftonline.com Issuer), OIDC
// front-channel logout by the upstream sid (no cookie in Entra's iframe) and OIDC RP-initiated
// logout to the issuer's end_session_endpoint.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { expectRefused, oidcTenant, postAcs, provision, samlTenant } from './helpers/fake-entra-common.ts';
import type { OidcUser } from './helpers/fake-entra-oidc.ts';

const TID = 'aaaaaaaa-8888-4000-8000-00000000000a';
const TID_B = 'bbbbbbbb-8888-4000-8000-00000000000b';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

t.test('SAML single logout started here', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID() };
  await provision(A, alice.upn);
  const signIn = async (assertionId = `_${crypto.randomUUID()}`) => {
    const jar = new CookieJar();
    t.equal((await postAcs(jar, A.urls.acs_url, A.idp.response({ user: alice, acsUrl: A.urls.acs_url, audience: A.urls.entity_id, assertionId }))).status, 303);
    return jar;
  };
  const logout = async (jar: CookieJar) => {
    const my = await (await jar.get(`${server.url}/my`)).text();
    const res = await jar.post(`${server.url}/my/logout`, { _csrf: csrfOf(my) });
    t.equal(res.status, 303, 'sent on to Entra');
    return res.headers.get('location')!;
  };
  const requestIn = (location: string) => zlib.inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');

  const assertionId = `_${crypto.randomUUID()}`;
  const b1 = await signIn(assertionId);
  const b2 = await signIn();
  const toEntra = await logout(b1);
  const u = new URL(toEntra);
  t.equal(`${u.origin}${u.pathname}`, `${A.idp.url}/${TID}/saml2`, "Entra's logout URL from the metadata");
  const xml = requestIn(toEntra);
  t.match(xml, /^<samlp:LogoutRequest [^>]*ID="_[0-9a-f]{40}"/, 'ID does not start with a digit');
  t.match(xml, `<saml:Issuer>${A.urls.entity_id}</saml:Issuer>`, 'Issuer = our Entity ID');
  t.match(xml, '<saml:NameID>alice@acme.test</saml:NameID>');
  t.match(xml, `<samlp:SessionIndex>${assertionId}</samlp:SessionIndex>`, 'the SessionIndex of the signed-in assertion');
  t.equal((await b1.get(`${server.url}/my`)).status, 303, 'our session ended before going to Entra');
  t.equal((await b2.get(`${server.url}/my`)).status, 200, 'the other browser keeps its session');

  // Entra answers at our Logout URL with its login.microsoftonline.com issuer.
  const back = await fetch(toEntra, { redirect: 'manual' });
  t.equal(back.status, 302);
  const answer = back.headers.get('location')!;
  t.ok(answer.startsWith(`${A.urls.logout_url}?SAMLResponse=`), 'LogoutResponse to our Logout URL');
  let res = await b1.get(answer);
  t.equal(res.status, 200);
  t.match(await res.text(), 'signed out of SecureLogin and of your Microsoft account');
  await expectRefused(t, await b1.get(answer), 'unknown_request', 403, 'same LogoutResponse again');

  // A LogoutResponse must answer a request of this tenant, from this tenant's Entra.
  const idOf = (location: string) => /\sID="([^"]+)"/.exec(requestIn(location))![1];
  let id = idOf(await logout(await signIn()));
  await expectRefused(t, await fetch(`${A.urls.logout_url}?SAMLResponse=${encodeURIComponent(A.idp.logoutResponse(id, { issuer: `https://login.microsoftonline.com/${TID_B}/` }))}`, { redirect: 'manual' }), 'wrong_issuer', 403, 'issuer of another Entra tenant');
  await expectRefused(t, await fetch(`${A.urls.logout_url}?SAMLResponse=${encodeURIComponent(A.idp.logoutResponse(`_${'0'.repeat(40)}`))}`, { redirect: 'manual' }), 'unknown_request', 403, 'request never sent');
  res = await fetch(`${A.urls.logout_url}?SAMLResponse=${encodeURIComponent(A.idp.logoutResponse(id, { issuer: A.idp.issuer }))}`, { redirect: 'manual' });
  t.equal(res.status, 200, 'the sts.windows.net issuer is accepted too');
  id = idOf(await logout(await signIn()));
  res = await fetch(`${A.urls.logout_url}?SAMLResponse=${encodeURIComponent(A.idp.logoutResponse(id, { status: 'Responder' }))}`, { redirect: 'manual' });
  t.equal(res.status, 200);
  t.match(await res.text(), 'did not confirm', 'a failed Entra logout is said so');
  await expectRefused(t, await fetch(`${A.urls.logout_url}?SAMLResponse=not-deflate`, { redirect: 'manual' }), 'malformed', 400, 'garbage');

  // Entra's own LogoutRequest (its broadcast) still ends the session of the browser that carries it.
  t.equal((await b2.get(`${A.urls.logout_url}?SAMLRequest=x`)).status, 200);
  t.equal((await b2.get(`${server.url}/my`)).status, 303);
  t.ok((await db.auditEvent.count({ where: { event: 'sso.logout' } })) >= 4, 'every sign-out audited');
});

t.test('OIDC front-channel and RP-initiated logout', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await oidcTenant(t, server, 'acme', TID);
  const { idp, urls } = A;
  const tenant = { id: A.id };
  t.equal(urls.oidc_logout_url, `${server.url}/sso/oidc/logout`);
  await provision(A, 'alice@acme.test', {});
  const oid = crypto.randomUUID();

  const signIn = async (sid: string) => {
    const jar = new CookieJar();
    idp.nextUser = { id: `u-${sid}`, upn: 'alice@acme.test', oid, sid } satisfies OidcUser;
    let res = await jar.get(`${urls.oidc_login_url}?return=/my`);
    let loc = res.headers.get('location')!;
    for (let i = 0; i < 6 && !loc.startsWith(urls.oidc_redirect_uri); i++) {
      res = await jar.get(new URL(loc, idp.issuer).toString());
      loc = res.headers.get('location') ?? '';
    }
    res = await jar.get(loc);
    t.equal(res.status, 303, `signed in (sid ${sid})`);
    return jar;
  };
  const j1 = await signIn('entra-sid-1');
  const j2 = await signIn('entra-sid-2');
  t.same((await db.endUserSession.findMany({ orderBy: { createdAt: 'asc' } })).map((s) => s.upstreamSid).sort(), ['entra-sid-1', 'entra-sid-2'], "Entra's sid stored with each session");

  // Entra's iframe carries no cookie: the session is found by iss + sid.
  const front = (iss: string, sid: string) => fetch(`${urls.oidc_logout_url}?iss=${encodeURIComponent(iss)}&sid=${encodeURIComponent(sid)}`, { redirect: 'manual' });
  let res = await front(`http://127.0.0.1:1/${TID_B}/v2.0`, 'entra-sid-1');
  t.equal(res.status, 200, 'always 200 for Entra');
  t.equal((await j1.get(`${server.url}/my`)).status, 200, 'an issuer of another tenant ends nothing');
  res = await front(idp.issuer, 'entra-sid-1');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-security-policy'), `default-src 'none'; frame-ancestors ${new URL(idp.issuer).origin}`, 'framable by the issuer only');
  t.equal((await j1.get(`${server.url}/my`)).status, 303, 'that session ended');
  t.equal((await j2.get(`${server.url}/my`)).status, 200, 'the other session lives');
  t.match(await db.ssoEvent.findFirst({ where: { tenantId: tenant.id }, orderBy: { id: 'desc' } }), { outcome: 'logout', reason: 'front-channel logout from Entra' });
  res = await fetch(urls.oidc_logout_url);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");

  // RP-initiated: our session ends, then Entra's end_session_endpoint.
  const my = await (await j2.get(`${server.url}/my`)).text();
  res = await j2.post(`${server.url}/my/logout`, { _csrf: csrfOf(my) });
  t.equal(res.status, 303);
  const end = new URL(res.headers.get('location')!);
  t.equal(`${end.origin}${end.pathname}`, `${idp.issuer}/session/end`, 'the end_session_endpoint from discovery');
  t.equal(end.searchParams.get('client_id'), idp.clientId);
  t.equal((await j2.get(`${server.url}/my`)).status, 303, 'our session ended');
});
