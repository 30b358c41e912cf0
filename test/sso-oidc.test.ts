// OpenID Connect sign-in against a second oidc-provider shaped like Entra's v2.0 endpoint:
// success to /my, and refusals (wrong tid, v1 token, no oid, unverified email, tampered or foreign
// state, a callback replayed, unprovisioned and disabled users), each with no session.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { expectRefused, oidcTenant, provision, sessionCookieSet } from './helpers/fake-entra-common.ts';
import type { OidcUser } from './helpers/fake-entra-oidc.ts';
import { configureOidc } from '../src/sso/configure.ts';
import { loadSsoConfig } from '../src/sso/config-store.ts';

const TID = 'aaaaaaaa-2222-4000-8000-00000000000a';

t.test('OIDC sign-in through an Entra-shaped provider', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await oidcTenant(t, server, 'acme', TID);
  const { idp, urls } = A;

  const alice: OidcUser = { id: 'u-alice', upn: 'alice@acme.test', oid: crypto.randomUUID(), email: 'alice.work@acme.test', xmsEdov: true };
  await provision(A, alice.upn, { emails: [{ type: 'work', value: 'alice.work@acme.test' }] });
  await provision(A, 'bob@acme.test', { active: false });

  /** Runs the browser part up to our callback URL (not yet requested). */
  const toCallback = async (jar: CookieJar, user: OidcUser) => {
    idp.nextUser = user;
    let res = await jar.get(`${urls.oidc_login_url}?return=/my`);
    t.equal(res.status, 302);
    let loc = res.headers.get('location')!;
    const authz = new URL(loc);
    t.equal(authz.origin + authz.pathname, `${idp.issuer}/auth`, 'to the issuer from discovery');
    t.equal(authz.searchParams.get('code_challenge_method'), 'S256');
    t.ok(authz.searchParams.get('nonce') && authz.searchParams.get('state'));
    t.equal(authz.searchParams.get('scope'), 'openid profile email');
    for (let i = 0; i < 6 && !loc.startsWith(urls.oidc_redirect_uri); i++) {
      res = await jar.get(new URL(loc, idp.issuer).toString());
      loc = res.headers.get('location') ?? '';
    }
    t.ok(loc.startsWith(`${urls.oidc_redirect_uri}?code=`), 'back to our redirect URI with a code');
    return loc;
  };

  await t.test('success: /my shows the user', async (t) => {
    const jar = new CookieJar();
    const cb = await toCallback(jar, alice);
    const res = await jar.get(cb);
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/my');
    t.ok(sessionCookieSet(res));
    const my = await jar.get(`${server.url}/my`);
    t.match(await my.text(), /data-username>alice@acme\.test</);
    // The same callback again: its state was used once.
    await expectRefused(t, await jar.get(cb), 'unknown_request', 403, 'replayed callback');
  });

  await t.test('refusals', async (t) => {
    const cases: Array<{ name: string; user: OidcUser; code: string; tamper?: (cb: string) => string; foreignBrowser?: boolean }> = [
      { name: 'token of another Entra tenant (tid)', user: { ...alice, id: 'u-x1', tid: 'bbbbbbbb-2222-4000-8000-00000000000b' }, code: 'wrong_tenant' },
      { name: 'version 1.0 token', user: { ...alice, id: 'u-x2', ver: '1.0' }, code: 'wrong_issuer' },
      { name: 'no oid', user: { ...alice, id: 'u-x3', oid: undefined }, code: 'no_identifier' },
      { name: 'unprovisioned', user: { ...alice, id: 'u-x4', upn: 'nobody@acme.test', oid: crypto.randomUUID() }, code: 'not_provisioned' },
      { name: 'disabled (active=false)', user: { ...alice, id: 'u-x5', upn: 'bob@acme.test', oid: crypto.randomUUID() }, code: 'user_disabled' },
      { name: 'tampered state', user: { ...alice, id: 'u-x6' }, code: 'unknown_request', tamper: (cb) => cb.replace(/state=[^&]+/, 'state=forged') },
      { name: 'callback planted in another browser (login CSRF)', user: { ...alice, id: 'u-x7' }, code: 'unknown_request', foreignBrowser: true },
      { name: 'code of one sign-in with the state of another', user: { ...alice, id: 'u-x8' }, code: 'upstream_error', tamper: (cb) => cb.replace(/code=[^&]+/, 'code=not-the-code') },
    ];
    for (const c of cases) {
      const jar = new CookieJar();
      let cb = await toCallback(jar, c.user);
      if (c.tamper) cb = c.tamper(cb);
      await expectRefused(t, await (c.foreignBrowser ? new CookieJar() : jar).get(cb), c.code, 403, c.name);
    }
  });

  await t.test('email matching needs xms_edov', async (t) => {
    await configureOidc(db, server.config, A.id, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, matchAttribute: 'email' });
    t.equal((await loadSsoConfig(db, A.id))?.matchAttribute, 'email');
    let jar = new CookieJar();
    await expectRefused(t, await jar.get(await toCallback(jar, { ...alice, id: 'u-e1', xmsEdov: false })), 'no_identifier', 403, 'unverified email');
    jar = new CookieJar();
    const res = await jar.get(await toCallback(jar, { ...alice, id: 'u-e2', upn: 'renamed@acme.test' }));
    t.equal(res.status, 303, 'verified work email matches even after a UPN change');
  });
});
