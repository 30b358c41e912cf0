// IdP-initiated sign-in into a registered SecureLogin app: the My Apps tile posts an unsolicited
// assertion with RelayState = the app's client id; the ACS keeps a single-use pending login and
// sends the browser to the app's initiate_login_uri; the app's authorization request then ends at
// its callback without a trip to Entra. Only this tenant's launchable apps are honoured; any other
// RelayState (a URL, an unknown key) lands on /my as before.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar, follow } from './helpers/oauth.ts';
import { postAcs, provision, samlTenant, sessionCookieSet, verifyIdToken } from './helpers/fake-entra-common.ts';
import { createApp } from '../src/sso/apps.ts';
import { runSsoCommand } from '../src/cli-sso.ts';

const TID = 'aaaaaaaa-6666-4000-8000-00000000000a';
const REDIRECT = 'http://127.0.0.1:9/app/callback';
const LOGIN = 'http://127.0.0.1:9/app/login';

t.test('IdP-initiated launch of a SecureLogin app', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID() };
  const aliceId = await provision(A, alice.upn);
  const app = await createApp(db, { tenantId: A.id, name: 'Portal', redirectUris: [REDIRECT], isPublic: false, initiateLoginUri: LOGIN });
  const other = await createApp(db, { tenantId: A.id, name: 'Wiki', redirectUris: [REDIRECT], isPublic: false, initiateLoginUri: LOGIN });
  const plain = await createApp(db, { tenantId: A.id, name: 'No launch', redirectUris: [REDIRECT], isPublic: false });
  const issuer = `${server.url}/oauth`;

  const tile = (jar: CookieJar, relayState?: string) => postAcs(jar, A.urls.acs_url, A.idp.response({ user: alice, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }), relayState);
  const authorize = (clientId: string) => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const params = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile email', state: 's1', nonce: 'n1', code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' });
    return { verifier, url: `${issuer}/authorize?${params}` };
  };

  // The tile: to the app's initiate_login_uri with our issuer, no session yet.
  const jar = new CookieJar();
  const res = await tile(jar, app.clientId);
  t.equal(res.status, 303);
  t.equal(res.headers.get('location'), `${LOGIN}?iss=${encodeURIComponent(issuer)}`, 'OpenID Connect Core §4 login initiation');
  t.notOk(sessionCookieSet(res), 'no session before the app asks');
  t.match(res.headers.getSetCookie().join('\n'), /sl_launch=[^;]+; Max-Age=300; Path=\/interaction; HttpOnly; SameSite=Lax/);
  const handle = jar.cookies.get('sl_launch')!;
  t.equal(await db.ssoPendingLogin.count(), 1);
  t.notOk(JSON.stringify(await db.ssoPendingLogin.findMany()).includes(handle), 'stored as a hash');

  // Another app in the same browser cannot use it: it is sent to Entra, the pending login stays.
  const thief = new CookieJar();
  thief.cookies.set('sl_launch', handle);
  const stolen = await follow(thief, server.url, authorize(other.clientId).url, A.idp.url);
  t.ok(stolen.url.startsWith(`${A.idp.url}/${TID}/saml2?SAMLRequest=`), 'another app goes to Entra');

  // The app starts its authorization request: it completes silently.
  const a = authorize(app.clientId);
  const back = await follow(jar, server.url, a.url, REDIRECT);
  t.ok(back.url.startsWith(REDIRECT), 'at the app callback without Entra');
  const code = new URL(back.url).searchParams.get('code')!;
  const tok = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: a.verifier }),
  });
  t.equal(tok.status, 200);
  const claims = await verifyIdToken(`${issuer}/jwks`, ((await tok.json()) as { id_token: string }).id_token, { issuer, audience: app.clientId });
  t.match(claims, { sub: aliceId, tid: A.id, preferred_username: alice.upn, amr: ['pwd', 'fed'] });
  t.equal((await jar.get(`${server.url}/my`)).status, 200, 'the end-user session opens with it');
  t.ok((await db.ssoPendingLogin.findFirst())!.usedAt, 'used');

  // Single use: the same cookie in a browser without a session goes to Entra.
  const replay = new CookieJar();
  replay.cookies.set('sl_launch', handle);
  const again = await follow(replay, server.url, authorize(app.clientId).url, A.idp.url);
  t.ok(again.url.startsWith(`${A.idp.url}/${TID}/saml2?SAMLRequest=`), 'a used pending login is not used again');

  // Any other RelayState is only a hint we ignore: the sign-in lands on /my as before.
  for (const [relay, what] of [
    ['https://evil.example/steal', 'a URL'],
    ['sla_unknown', 'an unknown app key'],
    [plain.clientId, 'an app without an initiate login URI'],
  ] as const) {
    const r = await tile(new CookieJar(), relay);
    t.equal(r.headers.get('location'), '/my', `${what}: /my`);
    t.ok(sessionCookieSet(r), `${what}: session as before`);
  }

  // The CLI registers the initiate login URI and refuses a bad one.
  const out: string[] = [];
  await runSsoCommand(['app', 'create', A.domain, 'Docs', '--redirect-uri', 'https://docs.example/cb', '--initiate-login-uri', 'https://docs.example/login'], server.config, db, (s) => out.push(s));
  const id = /client_id: (\S+)/.exec(out[0])![1];
  t.equal((await db.ssoApp.findUnique({ where: { id } }))!.initiateLoginUri, 'https://docs.example/login');
  await t.rejects(runSsoCommand(['app', 'create', A.domain, 'Bad', '--redirect-uri', 'https://docs.example/cb', '--initiate-login-uri', 'http://docs.example/login'], server.config, db, () => {}), /invalid initiate login URI/);
});
