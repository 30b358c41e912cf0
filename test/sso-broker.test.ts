// The identity broker over HTTP: a registered SecureLogin app's authorization request goes through
// the tenant's Entra (SAML here), comes back with a code, and the ID token (verified against our
// JWKS) and userinfo carry sub = SCIM user id, tid, name, email, preferred_username, groups,
// amr/acr. A second authorization is single sign-on; SCIM deprovisioning stops userinfo and new
// sign-ins; PKCE and the client secret are enforced.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar, csrfOf, follow } from './helpers/oauth.ts';
import { MANAGER_PASSWORD } from './helpers/scim.ts';
import { groupBody, patchBody } from './helpers/scim.ts';
import { provision, samlTenant, verifyIdToken } from './helpers/fake-entra-common.ts';
import { createApp } from '../src/sso/apps.ts';

const TID = 'aaaaaaaa-3333-4000-8000-00000000000a';
const REDIRECT = 'http://127.0.0.1:9/app/callback';

t.test('SecureLogin app signs in through the tenant Entra', async (t) => {
  const server = await startServer(t);
  const A = await samlTenant(server, 'acme', TID);
  t.teardown(() => A.idp.stop());
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID(), displayName: 'Alice Archer' };
  const aliceId = await provision(A, alice.upn, { displayName: 'Alice Archer', emails: [{ type: 'work', value: 'alice@acme.test', primary: true }] });
  await A.scim.req('POST', '/Groups', groupBody('Finance', { members: [{ value: aliceId }] }));
  const app = await createApp(server.app.db, { tenantId: A.id, name: 'Portal', redirectUris: [REDIRECT], isPublic: false });
  const issuer = `${server.url}/oauth`;

  const authorize = (jar: CookieJar, extra: Record<string, string> = {}) => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile email',
      state: crypto.randomBytes(8).toString('hex'),
      nonce: crypto.randomBytes(8).toString('hex'),
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { verifier, params, url: `${issuer}/authorize?${params}` };
  };
  const token = (code: string, verifier: string, secret = app.clientSecret!) =>
    fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
    });

  const jar = new CookieJar();
  A.idp.nextUser = alice;
  const a1 = authorize(jar);
  // Up to Entra: no Go-to-domain step, the app belongs to the tenant.
  const toEntra = await follow(jar, server.url, a1.url, A.idp.url);
  t.ok(toEntra.url.startsWith(`${A.idp.url}/${TID}/saml2?SAMLRequest=`), 'sent to the tenant Entra');
  const form = await (await fetch(toEntra.url)).text();
  const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(form)![1];
  const acs = await jar.post(A.urls.acs_url, { SAMLResponse: samlResponse });
  t.equal(acs.status, 303);
  t.match(acs.headers.get('location'), /^\/interaction\/[^/]+\/sso$/, 'back to the interaction');
  const back = await follow(jar, server.url, acs.headers.get('location')!, REDIRECT);
  const cb = new URL(back.url);
  t.equal(cb.searchParams.get('state'), a1.params.get('state'));
  const code = cb.searchParams.get('code')!;
  t.ok(code, 'authorization code at the app callback');

  t.equal((await token(code, a1.verifier, 'wrong-secret')).status, 401, 'wrong client secret refused');
  const res = await token(code, a1.verifier);
  const tokens = (await res.json()) as { id_token: string; access_token: string };
  t.equal(res.status, 200, JSON.stringify(tokens));
  const payload = await verifyIdToken(`${server.url}/oauth/jwks`, tokens.id_token, { issuer, audience: app.clientId });
  t.equal(payload.sub, aliceId, 'sub is the SCIM user id');
  const [h, , sig] = tokens.id_token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${sig}`;
  await t.rejects(verifyIdToken(`${server.url}/oauth/jwks`, forged, { issuer, audience: app.clientId }), /signature/, 'the checker itself refuses a forged token');
  t.match(payload, {
    tid: A.id,
    name: 'Alice Archer',
    email: 'alice@acme.test',
    preferred_username: 'alice@acme.test',
    groups: ['Finance'],
    nonce: a1.params.get('nonce'),
    acr: 'urn:securelogin:acr:entra-sso',
  });
  t.same([...(payload.amr as string[])].sort(), ['fed', 'pwd'], 'amr from the SAML authnmethodsreferences');
  const ui = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  t.equal(ui.status, 200);
  t.match(await ui.json(), { sub: aliceId, tid: A.id, groups: ['Finance'] });

  // Single sign-on: the next authorization in this browser needs no trip to Entra.
  const a2 = authorize(jar);
  const again = await follow(jar, server.url, a2.url, REDIRECT);
  t.ok(again.url.startsWith(`${REDIRECT}?code=`), 'second authorization finished from the end-user session');
  t.equal((await jar.get(`${server.url}/my`)).status, 200, 'and /my works in the same browser');

  // PKCE is required for SecureLogin apps.
  const noPkce = authorize(new CookieJar());
  noPkce.params.delete('code_challenge');
  noPkce.params.delete('code_challenge_method');
  const r = await fetch(`${issuer}/authorize?${noPkce.params}`, { redirect: 'manual' });
  t.match(r.headers.get('location') ?? '', /error=invalid_request/, 'authorization without PKCE refused');

  // A manager who signs in on the password page (not through Entra) gets no token for the app.
  const mjar = new CookieJar();
  const am = authorize(mjar);
  let mres = await mjar.get(am.url);
  const uid = /\/interaction\/([^/]+)\/sso/.exec(mres.headers.get('location') ?? '')![1];
  mres = await mjar.get(`${server.url}/interaction/${uid}?step=domain`);
  mres = await mjar.post(`${server.url}/interaction/${uid}/domain`, { _csrf: csrfOf(await mres.text()), domain: A.domain });
  mres = await mjar.get(`${server.url}/interaction/${uid}`);
  mres = await mjar.post(`${server.url}/interaction/${uid}/login`, { _csrf: csrfOf(await mres.text()), username: 'admin', password: MANAGER_PASSWORD });
  const afterManager = await follow(mjar, server.url, mres.headers.get('location') ?? `/interaction/${uid}`, A.idp.url);
  t.notOk(afterManager.url.startsWith(REDIRECT), 'no code for a manager account');
  t.ok(afterManager.url.startsWith(A.idp.url), 'sent to Entra instead');

  // SCIM deprovisioning: tokens stop at userinfo, the browser session ends, a new sign-in is refused.
  t.equal((await A.scim.req('PATCH', `/Users/${aliceId}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }))).status, 200);
  t.equal((await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 401, 'userinfo refused after active=false');
  const a3 = authorize(jar);
  const toEntra3 = await follow(jar, server.url, a3.url, A.idp.url);
  t.ok(toEntra3.url.startsWith(A.idp.url), 'no silent sign-on any more: back to Entra');
  const form3 = await (await fetch(toEntra3.url)).text();
  const refused = await jar.post(A.urls.acs_url, { SAMLResponse: /name="SAMLResponse" value="([^"]+)"/.exec(form3)![1] });
  t.equal(refused.status, 403);
  t.match(await refused.text(), 'data-refusal="user_disabled"');
});
