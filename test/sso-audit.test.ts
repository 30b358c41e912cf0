// SSO in the console's audit log (the Activity page's admin and security events): sign-ins,
// refusals with their reason and sign-outs, and SSO configuration changes from the console and the
// CLI; the "Single sign-on" navigation link; the Users pages' last sign-in and active sessions with
// a confirmed "Sign out everywhere".
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { consoleAs, csrfFrom, seedManager } from './helpers/console.ts';
import { postAcs, provision, samlTenant } from './helpers/fake-entra-common.ts';
import { runSsoCommand } from '../src/cli-sso.ts';
import { configureSaml } from '../src/sso/configure.ts';

const TID = 'aaaaaaaa-7777-4000-8000-00000000000a';

t.test('SSO events and settings in the audit log; users pages', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID, { allowIdpInitiated: true });
  t.teardown(() => A.idp.stop());
  const adminId = (await db.manager.findFirst({ where: { tenantId: A.id, role: 'admin' } }))!.id;
  const admin = await consoleAs(db, server.url, adminId, A.id);
  const viewer = await consoleAs(db, server.url, await seedManager(db, A.id, 'vera', 'viewer'), A.id);
  const adminName = (await db.manager.findUnique({ where: { id: adminId } }))!.username;
  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID() };
  const aliceId = await provision(A, alice.upn);
  const bobId = await provision(A, 'bob@acme.test');
  const audit = async (event: string) => db.auditEvent.findMany({ where: { tenantId: A.id, event }, orderBy: { id: 'asc' } });

  const signIn = async () => {
    const jar = new CookieJar();
    const res = await postAcs(jar, A.urls.acs_url, A.idp.response({ user: alice, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }));
    t.equal(res.status, 303, 'alice signs in');
    return jar;
  };

  await t.test('sign-in, refusal and sign-out are audit events', async (t) => {
    const jar = await signIn();
    const [ok] = await audit('sso.signin');
    t.match(ok, { actor: alice.upn, outcome: 'success', detail: 'SAML', ip: '127.0.0.1' });
    const stranger = { upn: 'mallory@acme.test', oid: crypto.randomUUID() };
    t.equal((await postAcs(new CookieJar(), A.urls.acs_url, A.idp.response({ user: stranger, acsUrl: A.urls.acs_url, audience: A.urls.entity_id }))).status, 403);
    const [refused] = await audit('sso.refused');
    t.match(refused, { actor: stranger.upn, outcome: 'failure', detail: 'SAML: not_provisioned: userName mallory@acme.test' });
    const my = await (await jar.get(`${server.url}/my`)).text();
    t.equal((await jar.post(`${server.url}/my/logout`, { _csrf: /name="_csrf" value="([^"]+)"/.exec(my)![1] })).status, 303, "on to Entra's logout URL");
    const [out] = await audit('sso.logout');
    t.match(out, { actor: alice.upn, outcome: 'success', detail: 'SAML: signed out' });

    // The Activity page's audit tab shows them in words, with the reason.
    const html = await (await admin.jar.get('/console/activity?view=audit')).text();
    t.match(html, 'Signed in with single sign-on');
    t.match(html, /Single sign-on refused<\/strong><br><span class="muted small">SAML: not_provisioned: userName mallory@acme\.test/);
    t.match(html, 'Signed out of single sign-on');
    const filtered = await (await admin.jar.get('/console/activity?view=audit&outcome=failure&q=mallory')).text();
    t.match(filtered, 'Single sign-on refused');
    t.notMatch(filtered, 'Signed in with single sign-on');
  });

  await t.test('configuration changes from the console and the CLI', async (t) => {
    let html = await (await admin.jar.get('/console/sso')).text();
    t.match(html, '<a href="/console/sso" aria-current="page">Single sign-on</a>', 'navigation link, current on its page');
    t.match(await (await viewer.jar.get('/console')).text(), '<a href="/console/sso">Single sign-on</a>', 'viewers see the link too');

    let res = await admin.jar.post('/console/sso/settings', { _csrf: csrfFrom(html), match: 'email', enforce: 'required', allow_idp_initiated: 'on' });
    t.equal(res.status, 303);
    let [change] = await audit('sso.settings_changed');
    t.match(change, { actor: adminName, outcome: 'success', detail: 'match on userName → email; single sign-on optional → required' });
    // Saving the same values again changes nothing and records nothing.
    await admin.jar.post('/console/sso/settings', { _csrf: csrfFrom(html), match: 'email', enforce: 'required', allow_idp_initiated: 'on' });
    t.equal((await audit('sso.settings_changed')).length, 1);

    res = await admin.jar.post('/console/sso/saml', { _csrf: csrfFrom(html), metadata_xml: A.idp.metadataXml(), match: 'externalId' });
    t.equal(res.status, 303);
    [change] = await audit('sso.configured');
    t.match(change, { actor: adminName, detail: `SAML 2.0: issuer https://sts.windows.net/${TID}/, 1 signing certificate(s) from pasted metadata, match on externalId, IdP-initiated off` });
    t.equal(change.ip, '127.0.0.1');

    // Turning SSO off asks first; only the confirmed form does it.
    res = await admin.jar.post('/console/sso/off', { _csrf: csrfFrom(html) });
    t.equal(res.status, 200);
    html = await res.text();
    t.match(html, 'Turn single sign-on off');
    t.match(html, 'name="confirm" value="yes"');
    t.ok(await db.ssoConfig.findUnique({ where: { tenantId: A.id } }), 'not yet off');
    t.equal((await admin.jar.post('/console/sso/off', { _csrf: csrfFrom(html), confirm: 'yes' })).status, 303);
    t.equal(await db.ssoConfig.findUnique({ where: { tenantId: A.id } }), null);
    t.match((await audit('sso.disabled'))[0], { actor: adminName, detail: 'single sign-on configuration removed' });

    // The CLI records the operator as the actor.
    const out: string[] = [];
    await runSsoCommand(['sso', 'oidc', A.domain, '--issuer', `https://login.microsoftonline.com/${TID}/v2.0`, '--client-id', 'app-9', '--client-secret-stdin'], server.config, db, (s) => out.push(s), async () => 'secret-value');
    await runSsoCommand(['app', 'create', A.domain, 'Payroll', '--redirect-uri', 'https://payroll.example/cb'], server.config, db, (s) => out.push(s));
    await runSsoCommand(['sso', 'off', A.domain], server.config, db, (s) => out.push(s));
    await runSsoCommand(['sso', 'off', A.domain], server.config, db, (s) => out.push(s));
    const cli = await db.auditEvent.findMany({ where: { tenantId: A.id, actor: 'operator (CLI)' }, orderBy: { id: 'asc' } });
    t.same(
      cli.map((e) => [e.event, e.target, e.detail]),
      [
        ['sso.configured', null, `OpenID Connect: issuer https://login.microsoftonline.com/${TID}/v2.0, client id app-9, new client secret, match on userName`],
        ['sso.app_created', 'Payroll', `confidential client ${/client_id: (\S+)/.exec(out[1])![1]}`],
        ['sso.disabled', null, 'single sign-on configuration removed'],
      ],
      'one row per change; turning off what was already off records nothing',
    );
    t.notOk(JSON.stringify(cli).includes('secret-value'), 'no secret in the audit log');
  });

  await t.test('Users pages: last sign-in, sessions, sign out everywhere', async (t) => {
    await configureSaml(db, A.id, { xml: A.idp.metadataXml(), matchAttribute: 'userName', allowIdpInitiated: true });
    const b1 = await signIn();
    const b2 = await signIn();
    let html = await (await viewer.jar.get('/console/users')).text();
    const row = (name: string) => new RegExp(`${name.replace(/\./g, '\\.')}</a></td>[\\s\\S]*?data-last-sign-in>([^<]+)</td>\\s*<td data-label="Sessions" data-sessions>(\\d+)</td>`).exec(html)!;
    t.match(row('alice@acme.test')[1], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'alice: last sign-in time');
    t.equal(row('alice@acme.test')[2], '2', 'alice: two live sessions');
    t.equal(row('bob@acme.test')[1], 'never');
    t.equal(row('bob@acme.test')[2], '0');

    html = await (await viewer.jar.get(`/console/users/${aliceId}`)).text();
    t.equal((html.match(/<tr data-session>/g) ?? []).length, 2, 'both sessions listed');
    t.notMatch(html, '/sign-out"', 'viewers get no sign-out button');
    t.equal((await viewer.jar.post(`/console/users/${aliceId}/sign-out`, { _csrf: viewer.csrf, confirm: 'yes' })).status, 403, 'viewer refused');
    t.match(await (await admin.jar.get(`/console/users/${bobId}`)).text(), 'No active sessions.');

    html = await (await admin.jar.get(`/console/users/${aliceId}`)).text();
    t.match(html, `action="/console/users/${aliceId}/sign-out"`);
    let res = await admin.jar.post(`/console/users/${aliceId}/sign-out`, { _csrf: csrfFrom(html) });
    t.equal(res.status, 200, 'confirmation page first');
    const confirm = await res.text();
    t.match(confirm, '<h2 id="confirm-h" class="confirm-object">alice@acme.test</h2>');
    t.equal((await b1.get(`${server.url}/my`)).status, 200, 'still signed in before confirming');
    res = await admin.jar.post(`/console/users/${aliceId}/sign-out`, { _csrf: csrfFrom(confirm), confirm: 'yes' });
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), `/console/users/${aliceId}?done=signedout`);
    t.equal((await b1.get(`${server.url}/my`)).status, 303, 'first browser signed out');
    t.equal((await b2.get(`${server.url}/my`)).status, 303, 'second browser signed out');
    html = await (await admin.jar.get(`/console/users/${aliceId}?done=signedout`)).text();
    t.match(html, 'The user was signed out everywhere.');
    t.match(html, 'No active sessions.');
    const [ev] = await audit('sso.user_signed_out');
    t.match(ev, { actor: adminName, target: 'alice@acme.test', outcome: 'success', detail: `console: signed out everywhere by ${adminName} (2 session(s))` });
    // An id of another tenant's user (or none) is not found, never signed out.
    t.equal((await admin.jar.post(`/console/users/${crypto.randomUUID()}/sign-out`, { _csrf: csrfFrom(html), confirm: 'yes' })).status, 404);
    // The SSO page's list offers the same action.
    await signIn();
    t.match(await (await admin.jar.get('/console/sso')).text(), `action="/console/users/${aliceId}/sign-out"`);
  });
});
