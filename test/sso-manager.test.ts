// Managers and the tenant's single sign-on, over real HTTP: "Sign in with Microsoft" on the
// managers' sign-in page (SAML and OpenID Connect) signs in the manager whose username is the
// provisioned user's userName or one of its emails, for the console and for Entra's Authorize; a
// user who is no manager, or a sign-in finished in another browser, gets no session. With single
// sign-on required, a non-admin's password is refused before it is checked (still throttled) while
// admins keep their password; enforcement needs SSO configured and ends with it. Every sign-in and
// refusal is in the audit log.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer, type TestServer } from './helpers/server.ts';
import { Jar, consoleAs, csrfFrom } from './helpers/console.ts';
import { authorizeUrl } from './helpers/oauth.ts';
import { MANAGER_PASSWORD, tenantWithToken } from './helpers/scim.ts';
import { oidcTenant, provision, samlTenant, type SamlTenant } from './helpers/fake-entra-common.ts';
import type { OidcUser } from './helpers/fake-entra-oidc.ts';
import { createManagerWithPassword } from '../src/accounts/managers.ts';
import { findTenantByDomain } from '../src/db/tenants.ts';
import { loadSsoConfig } from '../src/sso/config-store.ts';

const TID = 'aaaaaaaa-7777-4000-8000-00000000000a';
const TID_OIDC = 'cccccccc-7777-4000-8000-00000000000c';
const PW = 'Viewer-Passphrase-77';

/** Follows redirects on our origin (the browser's job) until a page or a foreign URL. */
async function follow(jar: Jar, res: Response, base: string): Promise<{ res: Response; url: string }> {
  let url = '';
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location')!, url || base).toString();
    if (!url.startsWith(base)) return { res, url };
    res = await jar.get(url);
  }
  return { res, url };
}

/** Console → Go to domain → the managers' sign-in page. */
async function loginPage(s: TestServer, jar: Jar, domain: string, start = '/console') {
  let r = await follow(jar, await jar.get(start), s.url);
  let html = await r.res.text();
  const domainAction = /action="(\/interaction\/[^"]+\/domain)"/.exec(html)![1];
  r = await follow(jar, await jar.post(domainAction, { _csrf: csrfFrom(html), domain }), s.url);
  html = await r.res.text();
  const uid = /action="\/interaction\/([^/"]+)\/login"/.exec(html)![1];
  return { uid, html };
}

async function passwordSignIn(s: TestServer, jar: Jar, domain: string, username: string, password: string, start = '/console') {
  const { html } = await loginPage(s, jar, domain, start);
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(html)![1];
  return follow(jar, await jar.post(action, { _csrf: csrfFrom(html), username, password }), s.url);
}

const microsoftHref = (html: string) => /id="sign-in-microsoft" href="([^"]+)"/.exec(html)?.[1] ?? null;

/** Each person keeps one Entra object id: a user is tied to the first one that signed in. */
const oids = new Map<string, string>();
const oidOf = (upn: string) => oids.get(upn) ?? oids.set(upn, crypto.randomUUID()).get(upn)!;

/** The SAML leg: our start → Entra → the ACS (a cross-site POST in a browser). */
async function samlLeg(s: TestServer, jar: Jar, A: SamlTenant, startPath: string, upn: string): Promise<Response> {
  A.idp.nextUser = { upn, oid: oidOf(upn), displayName: upn };
  const r = await follow(jar, await jar.get(startPath), s.url);
  t.ok(r.url.startsWith(`${A.idp.url}/${TID}/saml2?SAMLRequest=`), 'sent to the tenant Entra');
  const form = await (await fetch(r.url)).text();
  const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(form)![1];
  return jar.post(A.urls.acs_url, { SAMLResponse: samlResponse });
}

/** The amr of the provider's sessions signed in as this manager (the console asks for no amr claim). */
const sessionAmr = async (s: TestServer, managerId: string): Promise<string[][]> => {
  const rows = await s.app.db.oidcPayload.findMany({ where: { type: 'Session' } });
  return rows.map((r) => JSON.parse(r.payload) as { accountId?: string; amr?: string[] }).filter((p) => p.accountId === managerId).map((p) => p.amr ?? []);
};

async function auditRows(s: TestServer, tenantId: string, event: string) {
  return s.app.db.auditEvent.findMany({ where: { tenantId, event }, orderBy: { id: 'asc' } });
}

t.test('managers sign in with Microsoft (SAML) and SSO enforcement', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const deps = { db, config: s.config };
  const A = await samlTenant(s, 'acme', TID);
  t.teardown(() => A.idp.stop());
  const viewer = await createManagerWithPassword(deps, { tenantId: A.id, username: 'Alice@Acme.test', password: PW, role: 'viewer' });
  const byEmail = await createManagerWithPassword(deps, { tenantId: A.id, username: 'bob@acme.test', password: PW, role: 'viewer' });
  const admin2 = await createManagerWithPassword(deps, { tenantId: A.id, username: 'carol@acme.test', password: PW, role: 'admin' });
  await createManagerWithPassword(deps, { tenantId: A.id, username: 'erin@acme.test', password: PW, role: 'viewer' });
  await provision(A, 'alice@acme.test');
  await provision(A, 'robert@acme.test', { emails: [{ type: 'work', value: 'Bob@ACME.test', primary: true }] });
  await provision(A, 'carol@acme.test');
  const malloryId = await provision(A, 'mallory@acme.test', { emails: [{ type: 'work', value: 'mallory@acme.test' }] });
  await provision(A, 'dave@acme.test', { active: false });
  const frank = await createManagerWithPassword(deps, { tenantId: A.id, username: 'frank@acme.test', password: PW, role: 'viewer' });
  await db.manager.update({ where: { id: frank.id }, data: { enabled: false } });
  await provision(A, 'frank@acme.test');
  await createManagerWithPassword(deps, { tenantId: A.id, username: 'dave@acme.test', password: PW, role: 'viewer' });
  const B = await tenantWithToken(s, 'globex');

  await t.test('the sign-in page offers Sign in with Microsoft only where SSO is configured', async (t) => {
    const a = await loginPage(s, new Jar(s.url), A.domain);
    t.equal(microsoftHref(a.html), `/interaction/${a.uid}/login/microsoft`);
    t.notMatch(a.html, 'id="sso-required"', 'not required yet');
    const bjar = new Jar(s.url);
    const b = await loginPage(s, bjar, B.domain);
    t.equal(microsoftHref(b.html), null, 'no button for a tenant without SSO');
    const typed = await bjar.get(`/interaction/${b.uid}/login/microsoft`);
    t.equal(typed.status, 400, 'typing the address anyway');
    t.match(await typed.text(), 'has not set up sign-in with Microsoft');
    const direct = await new Jar(s.url).get(`/interaction/${b.uid}/login/microsoft`);
    t.equal(direct.status, 400, 'another browser has no such interaction');
    t.match(await direct.text(), 'This sign-in has expired');
  });

  await t.test('userName match signs the manager in to the console, amr says fed', async (t) => {
    const jar = new Jar(s.url);
    const { html, uid } = await loginPage(s, jar, A.domain, '/console/users');
    const acs = await samlLeg(s, jar, A, microsoftHref(html)!, 'alice@acme.test');
    t.equal(acs.status, 303);
    t.equal(acs.headers.get('location'), `/interaction/${uid}/login/microsoft/done`, 'back to the interaction');
    t.notOk(acs.headers.getSetCookie().some((c) => c.startsWith('sl_user=')), 'no end-user session for a manager sign-in');
    const done = await follow(jar, acs, s.url);
    t.equal(done.res.status, 200);
    t.match(await done.res.text(), '<h1>Users</h1>', 'signed in to the console page first asked for');
    t.ok(jar.cookies.get('sl_console'), 'console session');
    const amr = await sessionAmr(s, viewer.id);
    t.equal(amr.length, 1);
    t.ok(amr[0].includes('fed'), `amr ${JSON.stringify(amr[0])} says federated (RFC 8176)`);
    const rows = await auditRows(s, A.id, 'sso.signin');
    t.match(rows.at(-1), { actor: 'Alice@Acme.test', outcome: 'success', detail: 'SAML: console: signed in as manager Alice@Acme.test' });
    const m = await db.manager.findUnique({ where: { id: viewer.id } });
    t.ok(m?.lastLoginAt, 'last sign-in recorded on the manager');
    // The kept sign-in is single use: the done step again has nothing to take.
    const again = await jar.get(`/interaction/${uid}/login/microsoft/done`);
    t.not(again.status, 303, 'no second sign-in from the same assertion');
  });

  await t.test('a work email equal to the manager username matches too', async (t) => {
    const jar = new Jar(s.url);
    const { html } = await loginPage(s, jar, A.domain);
    const done = await follow(jar, await samlLeg(s, jar, A, microsoftHref(html)!, 'robert@acme.test'), s.url);
    t.equal(done.res.status, 200);
    const session = await db.consoleSession.findFirst({ where: { managerId: byEmail.id } });
    t.ok(session, 'signed in as bob@acme.test');
  });

  await t.test('an identity that is no manager, or a disabled user, is refused with no session', async (t) => {
    for (const [upn, code] of [['mallory@acme.test', 'not_a_manager'], ['dave@acme.test', 'user_disabled'], ['nobody@acme.test', 'not_provisioned']] as const) {
      const jar = new Jar(s.url);
      const { html } = await loginPage(s, jar, A.domain);
      const acs = await samlLeg(s, jar, A, microsoftHref(html)!, upn);
      const page = await acs.text();
      t.equal(acs.status, 403, `${upn}: 403`);
      t.match(page, `data-refusal="${code}"`, `${upn}: refused as ${code}`);
      t.notOk(jar.cookies.get('sl_console') || jar.cookies.get('sl_user') || jar.cookies.get('sl_manager_sso'), `${upn}: no session of any kind`);
    }
    const refused = await auditRows(s, A.id, 'sso.refused');
    t.ok(refused.some((r) => r.actor === 'mallory@acme.test' && /not_a_manager/.test(r.detail ?? '')), 'not_a_manager in the audit log');
    t.equal(await db.ssoUserLink.count({ where: { tenantId: A.id, userId: malloryId } }), 0, 'a refused sign-in is not recorded as her last sign-in');
  });

  await t.test('a disabled manager is refused after Entra vouched for them', async (t) => {
    const jar = new Jar(s.url);
    const { html } = await loginPage(s, jar, A.domain);
    const done = await follow(jar, await samlLeg(s, jar, A, microsoftHref(html)!, 'frank@acme.test'), s.url);
    t.equal(done.res.status, 403);
    t.match(await done.res.text(), 'This account is disabled');
    t.notOk(jar.cookies.get('sl_console'), 'no console session');
    const refused = await auditRows(s, A.id, 'sso.refused');
    t.equal(refused.at(-1)?.detail, 'SAML: manager_disabled: console');
  });

  await t.test('a sign-in finished in another browser does not complete this interaction', async (t) => {
    const attacker = new Jar(s.url);
    const { uid } = await loginPage(s, attacker, A.domain);
    // The victim follows a link that starts SSO with a return to the attacker's interaction.
    const victim = new Jar(s.url);
    const acs = await samlLeg(s, victim, A, `${A.urls.sign_on_url}?return=${encodeURIComponent(`/interaction/${uid}/login/microsoft/done`)}`, 'alice@acme.test');
    t.equal(acs.status, 303);
    const before = await db.consoleSession.count({ where: { managerId: viewer.id } });
    const r = await follow(attacker, await attacker.get(`/interaction/${uid}/login/microsoft/done`), s.url);
    t.equal(r.res.status, 403);
    t.match(await r.res.text(), 'did not finish in this browser');
    t.equal(await db.consoleSession.count({ where: { managerId: viewer.id } }), before, 'no session for the attacker');
    t.notOk(attacker.cookies.get('sl_console'));
  });

  await t.test("Entra's Authorize: an admin signing in with Microsoft reaches the consent page", async (t) => {
    const jar = new Jar(s.url);
    const { html, uid } = await loginPage(s, jar, A.domain, authorizeUrl(s, { state: 's1' }));
    t.match(html, 'to connect Microsoft Entra ID');
    const done = await follow(jar, await samlLeg(s, jar, A, microsoftHref(html)!, 'carol@acme.test'), s.url);
    t.equal(done.res.status, 200);
    const page = await done.res.text();
    t.match(page, '>Allow<', 'consent page');
    t.match(page, 'carol@acme.test');
    t.equal(done.url, `${s.url}/interaction/${uid}`);
    // Allow: the grant is the tenant's, and its session says how the admin signed in.
    const allowed = await follow(jar, await jar.post(`/interaction/${uid}/consent`, { _csrf: csrfFrom(page), decision: 'allow' }), s.url);
    t.ok(allowed.url.startsWith('https://portal.azure.com/'), `back to Entra: ${allowed.url}`);
    t.match(allowed.url, /[?&]code=/, 'with an authorization code');
    const tenantAmr = await sessionAmr(s, `tenant:${(await findTenantByDomain(db, A.domain))!.id}`);
    t.ok(tenantAmr.some((a) => a.includes('fed')), `the Authorize session's amr says federated: ${JSON.stringify(tenantAmr)}`);
    // A viewer who signs in with Microsoft still cannot connect Entra.
    const vjar = new Jar(s.url);
    const v = await loginPage(s, vjar, A.domain, authorizeUrl(s, { state: 's2' }));
    const vdone = await follow(vjar, await samlLeg(s, vjar, A, microsoftHref(v.html)!, 'alice@acme.test'), s.url);
    t.equal(vdone.res.status, 403);
    t.match(await vdone.res.text(), 'does not have admin permission');
    t.ok(admin2.id);
  });

  await t.test('enforcement can only be switched on while SSO is configured', async (t) => {
    const bRow = (await findTenantByDomain(db, B.domain))!;
    const bAdmin = (await db.manager.findFirst({ where: { tenantId: bRow.id, role: 'admin' } }))!;
    const { jar, csrf } = await consoleAs(db, s.url, bAdmin.id, bRow.id);
    const r = await jar.post('/console/sso/settings', { _csrf: csrf, match: 'userName', enforce: 'required' });
    t.equal(r.status, 400);
    t.match(await r.text(), 'Configure SAML or OpenID Connect first.');
    t.equal(await loadSsoConfig(db, bRow.id), null, 'nothing stored');
  });

  await t.test('enforce=required: non-admin passwords refused before they are checked, admins get in', async (t) => {
    const aAdmin = (await db.manager.findFirst({ where: { tenantId: A.id, username: 'admin' } }))!;
    const { jar: adminJar, csrf } = await consoleAs(db, s.url, aAdmin.id, A.id);
    const set = await adminJar.post('/console/sso/settings', { _csrf: csrf, match: 'userName', enforce: 'required' });
    t.equal(set.status, 303);
    t.equal((await loadSsoConfig(db, A.id))?.enforce, true);
    const ssoPage = await (await adminJar.get('/console/sso')).text();
    t.match(ssoPage, 'admins keep their password as the way in', 'the console says admins keep the password (break-glass)');

    const jar = new Jar(s.url);
    const { html } = await loginPage(s, jar, A.domain);
    t.match(html, 'id="sso-required"', 'the sign-in page says SSO is required');
    const sessionsBefore = await db.consoleSession.count({ where: { managerId: viewer.id } });
    for (const [who, password] of [['Alice@Acme.test', PW], ['alice@acme.test', 'not-her-password'], ['nobody', 'whatever-it-is']]) {
      const r = await passwordSignIn(s, new Jar(s.url), A.domain, who, password);
      t.equal(r.res.status, 403, `${who}: 403`);
      const page = await r.res.text();
      t.match(page, 'requires single sign-on: choose &#34;Sign in with Microsoft&#34;', `${who}: points at Sign in with Microsoft`);
      t.notMatch(page, 'not correct', `${who}: the password was never judged`);
    }
    t.equal(await db.consoleSession.count({ where: { managerId: viewer.id } }), sessionsBefore, 'no session for the refused viewer');
    const refused = await auditRows(s, A.id, 'sso.refused');
    t.ok(refused.some((r) => r.actor === 'Alice@Acme.test' && r.detail === 'password sign-in: sso_required: console, not an admin'), 'refusal audited');

    // Still throttled: refused attempts count like failures for that username.
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await passwordSignIn(s, new Jar(s.url), A.domain, 'erin@acme.test', PW)).res.status;
    t.equal(last, 429, 'paused after repeated refused attempts');

    const admin = await passwordSignIn(s, new Jar(s.url), A.domain, 'admin', MANAGER_PASSWORD, '/console/users');
    t.equal(admin.res.status, 200, 'an admin still signs in with a password (break-glass)');
    t.match(await admin.res.text(), '<h1>Users</h1>');
    t.same(await sessionAmr(s, aAdmin.id), [['pwd']], 'a password sign-in says pwd');
    const wrong = await passwordSignIn(s, new Jar(s.url), A.domain, 'admin', 'wrong-password-123');
    t.equal(wrong.res.status, 401, 'an admin with a wrong password gets the usual answer');

    // Sign in with Microsoft still works for the viewer.
    const mjar = new Jar(s.url);
    const m = await loginPage(s, mjar, A.domain);
    const done = await follow(mjar, await samlLeg(s, mjar, A, microsoftHref(m.html)!, 'alice@acme.test'), s.url);
    t.equal(done.res.status, 200);
    t.ok(mjar.cookies.get('sl_console'));
  });

  await t.test('turning SSO off turns enforcement off', async (t) => {
    const aAdmin = (await db.manager.findFirst({ where: { tenantId: A.id, username: 'admin' } }))!;
    const { jar, csrf } = await consoleAs(db, s.url, aAdmin.id, A.id);
    const off = await jar.post('/console/sso/off', { _csrf: csrf, confirm: 'yes' });
    t.equal(off.status, 303);
    t.equal(await loadSsoConfig(db, A.id), null);
    const rows = await auditRows(s, A.id, 'sso.disabled');
    t.equal(rows.at(-1)?.detail, 'single sign-on configuration removed; single sign-on no longer required for managers');
    const r = await passwordSignIn(s, new Jar(s.url), A.domain, 'bob@acme.test', PW);
    t.equal(r.res.status, 200, 'a viewer signs in with a password again');
    t.ok(r.url.includes('/console'));
  });
});

t.test('managers sign in with Microsoft (OpenID Connect)', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const T = await oidcTenant(t, s, 'initech', TID_OIDC);
  const { idp } = T;
  const tenant = { id: T.id };
  const m = await createManagerWithPassword({ db, config: s.config }, { tenantId: tenant.id, username: 'peter@initech.test', password: PW, role: 'viewer' });
  await provision(T, 'peter@initech.test');
  await provision(T, 'milton@initech.test');

  const oidcLeg = async (jar: Jar, user: OidcUser) => {
    idp.nextUser = user;
    const { html, uid } = await loginPage(s, jar, T.domain);
    let r = await follow(jar, await jar.get(microsoftHref(html)!), s.url);
    t.ok(r.url.startsWith(idp.issuer), 'sent to the issuer');
    let loc = r.url;
    for (let i = 0; i < 6 && !loc.startsWith(s.url); i++) {
      const res = await jar.get(loc);
      loc = new URL(res.headers.get('location') ?? '', loc).toString();
    }
    r = await follow(jar, await jar.get(loc), s.url);
    return { uid, ...r };
  };

  await t.test('a matching manager gets a console session', async (t) => {
    const jar = new Jar(s.url);
    const r = await oidcLeg(jar, { id: 'u-peter', upn: 'peter@initech.test', oid: crypto.randomUUID() });
    t.equal(r.res.status, 200);
    t.ok(jar.cookies.get('sl_console'), 'console session');
    t.ok((await sessionAmr(s, m.id))[0]?.includes('fed'), 'amr says federated');
    const rows = await auditRows(s, tenant.id, 'sso.signin');
    t.equal(rows.at(-1)?.detail, 'OpenID Connect: console: signed in as manager peter@initech.test');
  });

  await t.test('no manager for the identity: refused, no session', async (t) => {
    const jar = new Jar(s.url);
    const r = await oidcLeg(jar, { id: 'u-milton', upn: 'milton@initech.test', oid: crypto.randomUUID() });
    t.equal(r.res.status, 403);
    t.match(await r.res.text(), 'data-refusal="not_a_manager"');
    t.notOk(jar.cookies.get('sl_console') || jar.cookies.get('sl_user'));
  });
});
