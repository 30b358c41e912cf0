// SAML sign-in against a local Entra-shaped IdP: SP-initiated and IdP-initiated success, and the
// negative table (each refused with the right page, no session, and an audit row with the reason).
import t from 'tap';
import crypto from 'node:crypto';
import { startServer } from './helpers/server.ts';
import { CookieJar } from './helpers/oauth.ts';
import { keyPair } from './helpers/fake-entra-saml.ts';
import { expectRefused, postAcs, provision, samlTenant, sessionCookieSet } from './helpers/fake-entra-common.ts';
import { buildApp } from '../src/app.ts';
import { setTenantEnabled } from '../src/db/tenants.ts';
import { recentSsoEvents } from '../src/sso/events.ts';

const TID_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const TID_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const TID_C = 'cccccccc-0000-4000-8000-00000000000c';
const TID_D = 'dddddddd-0000-4000-8000-00000000000d';

t.test('SAML sign-in and the negative table', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const A = await samlTenant(server, 'acme', TID_A, { allowIdpInitiated: true });
  const B = await samlTenant(server, 'beta', TID_B, { keyName: 'idp-b' });
  // C pins the very same certificate as A: only audience/issuer/tenant checks tell them apart.
  const C = await samlTenant(server, 'gamma', TID_C, { allowIdpInitiated: true });
  const D = await samlTenant(server, 'delta', TID_D, { allowIdpInitiated: true });
  t.teardown(() => Promise.all([A.idp.stop(), B.idp.stop(), C.idp.stop(), D.idp.stop()]));

  const alice = { upn: 'alice@acme.test', oid: crypto.randomUUID(), email: 'alice@acme.test', displayName: 'Alice A' };
  await provision(A, alice.upn, { externalId: alice.oid, displayName: 'Alice A' });
  await provision(A, 'bob@acme.test', { active: false });
  const carolId = await provision(A, 'carol@acme.test');
  t.equal((await A.scim.req('DELETE', `/Users/${carolId}`)).status, 204);
  await provision(B, 'alice@acme.test');
  await provision(D, 'dan@delta.test');
  await setTenantEnabled(db, D.id, false);

  const resp = (o: Partial<Parameters<typeof A.idp.response>[0]> = {}, tn = A) =>
    tn.idp.response({ user: alice, acsUrl: tn.urls.acs_url, audience: tn.urls.entity_id, ...o });

  await t.test('SP-initiated: Sign on URL → Entra → ACS → /my', async (t) => {
    const jar = new CookieJar();
    let res = await jar.get(`${A.urls.sign_on_url}?return=/my`);
    t.equal(res.status, 302);
    const loc = res.headers.get('location')!;
    t.ok(loc.startsWith(`${A.idp.url}/${TID_A}/saml2?SAMLRequest=`), 'to the Login URL from the metadata');
    A.idp.nextUser = alice;
    res = await fetch(loc);
    t.equal(res.status, 200, 'Entra accepted our AuthnRequest');
    const reqXml = A.idp.lastAuthnRequest!;
    t.match(reqXml, `<saml:Issuer>${A.urls.entity_id}</saml:Issuer>`);
    t.notMatch(reqXml, /RequestedAuthnContext|NameIDPolicy|Subject/);
    const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(await res.text())![1];
    res = await postAcs(jar, A.urls.acs_url, samlResponse, 'https://evil.example/');
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/my', 'RelayState ignored: lands on /my');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sl_user='))!;
    t.match(cookie, /HttpOnly/i);
    t.match(cookie, /SameSite=Lax/i);
    t.notMatch(cookie, /Secure/i, 'not Secure over plain http');
    res = await jar.get(`${server.url}/my`);
    t.equal(res.status, 200);
    const html = await res.text();
    t.match(html, /data-username>alice@acme\.test</);
    t.match(html, 'Alice A');
    // The same response again is a replay, whatever the request store says.
    await expectRefused(t, await postAcs(new CookieJar(), A.urls.acs_url, samlResponse), 'replay', 403, 'solicited response posted twice');
    // N15: strip the unsigned Response/@InResponseTo and post again: still bound to the signed value.
    const stripped = Buffer.from(Buffer.from(samlResponse, 'base64').toString('utf8').replace(/(<samlp:Response[^>]*?) InResponseTo="[^"]+"/, '$1'), 'utf8').toString('base64');
    await expectRefused(t, await postAcs(new CookieJar(), A.urls.acs_url, stripped), 'replay', 403, 'stripped InResponseTo');
  });

  await t.test('IdP-initiated (opt-in) signs in; disabled at another tenant', async (t) => {
    const jar = new CookieJar();
    const res = await postAcs(jar, A.urls.acs_url, resp());
    t.equal(res.status, 303);
    t.ok(sessionCookieSet(res));
    t.equal((await jar.get(`${server.url}/my`)).status, 200);
    await expectRefused(t, await postAcs(new CookieJar(), B.urls.acs_url, resp({}, B)), 'idp_initiated_disabled', 403, 'N17 IdP-initiated disabled');
  });

  await t.test('replay across two instances on one database', async (t) => {
    const r = resp();
    t.equal((await postAcs(new CookieJar(), A.urls.acs_url, r)).status, 303);
    const other = await buildApp(server.config, { logger: false });
    t.teardown(() => other.close());
    const res = await other.inject({ method: 'POST', url: new URL(A.urls.acs_url).pathname, payload: `SAMLResponse=${encodeURIComponent(r)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(res.statusCode, 403);
    t.match(res.body, 'data-refusal="replay"');
  });

  await t.test('negative table', async (t) => {
    const forgedAssertion = (xml: string) => /<Assertion [\s\S]*<\/Assertion>/.exec(xml)![0].replace(/ID="[^"]+"/, 'ID="_forged"').replace('alice@acme.test', 'mallory@acme.test').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    // A request issued for tenant B, and a request of A to abuse with an unsolicited assertion.
    const bStart = await fetch(`${B.urls.sign_on_url}`, { redirect: 'manual' });
    const bRequestId = /ID="([^"]+)"/.exec((await import('node:zlib')).inflateRawSync(Buffer.from(new URL(bStart.headers.get('location')!).searchParams.get('SAMLRequest')!, 'base64')).toString())![1];
    const aStart = await fetch(`${A.urls.sign_on_url}`, { redirect: 'manual' });
    const aRequestId = /ID="([^"]+)"/.exec((await import('node:zlib')).inflateRawSync(Buffer.from(new URL(aStart.headers.get('location')!).searchParams.get('SAMLRequest')!, 'base64')).toString())![1];

    const cases: Array<{ name: string; body: () => string; code: string; status?: number; acs?: string; tenant?: string }> = [
      { name: 'N1 tampered signature', body: () => resp({ mutate: (x) => x.replace('>alice@acme.test</NameID>', '>bob@acme.test</NameID>') }), code: 'bad_signature' },
      { name: 'N2 unknown certificate (attacker key, own cert in KeyInfo)', body: () => resp({ signer: keyPair('attacker') }), code: 'bad_signature' },
      { name: 'N3 unsigned assertion', body: () => resp({ sign: 'none' }), code: 'bad_signature' },
      { name: 'N3b response signed, assertion not', body: () => resp({ sign: 'response' }), code: 'bad_signature' },
      { name: 'N4 wrapping: forged assertion before the signed one', body: () => resp({ mutate: (x) => x.replace('<Assertion ', `${forgedAssertion(x)}<Assertion `) }), code: 'bad_signature' },
      { name: 'N4 wrapping: forged assertion after the signed one', body: () => resp({ mutate: (x) => x.replace('</samlp:Response>', `${forgedAssertion(x)}</samlp:Response>`) }), code: 'bad_signature' },
      {
        name: 'N4 wrapping: signed assertion moved into Extensions, forged one in its place',
        body: () => resp({ mutate: (x) => { const signed = /<Assertion [\s\S]*<\/Assertion>/.exec(x)![0]; return x.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${forgedAssertion(x)}`); } }),
        code: 'bad_signature',
      },
      { name: 'N5 wrong audience', body: () => resp({ audience: B.urls.entity_id }), code: 'wrong_audience' },
      { name: 'N6 wrong Recipient', body: () => resp({ recipient: B.urls.acs_url }), code: 'wrong_recipient' },
      { name: 'N7 wrong Destination', body: () => resp({ destination: B.urls.acs_url }), code: 'wrong_destination' },
      { name: 'N8 wrong Issuer, right key', body: () => resp({ issuer: `https://sts.windows.net/${TID_C}/` }), code: 'wrong_issuer' },
      { name: 'wrong tenantid claim', body: () => resp({ tenantIdClaim: TID_C }), code: 'wrong_tenant' },
      { name: 'N9 expired', body: () => resp({ shiftMs: -2 * 3600_000 }), code: 'expired' },
      { name: 'N9 not yet valid (beyond 3 min skew)', body: () => resp({ shiftMs: 10 * 60_000 }), code: 'not_yet_valid' },
      { name: 'N10 SubjectConfirmationData expired only', body: () => resp({ scdLifetimeMs: -5 * 60_000 }), code: 'expired' },
      { name: 'N11 too old (IssueInstant 20 min ago)', body: () => resp({ shiftMs: -20 * 60_000 }), code: 'expired' },
      { name: 'N13 unknown InResponseTo', body: () => resp({ inResponseTo: `_${crypto.randomBytes(20).toString('hex')}` }), code: 'unknown_request' },
      { name: 'N14 InResponseTo issued for tenant B', body: () => resp({ inResponseTo: bRequestId }), code: 'unknown_request' },
      { name: 'N16 unsolicited assertion re-wrapped with a fresh request ID', body: () => resp({ outerInResponseTo: aRequestId }), code: 'unknown_request' },
      {
        name: 'N18 comment in NameID: identity stays the full signed value',
        body: () => resp({ user: { ...alice, upn: 'alice@acme.test.other.io', oid: crypto.randomUUID() }, mutate: (x) => x.replace('>alice@acme.test.other.io<', '>alice@acme.test<!---->.other.io<') }),
        code: 'not_provisioned',
      },
      { name: 'N19 SHA-1 signature', body: () => resp({ sha1: true }), code: 'weak_algorithm' },
      { name: 'N22 DOCTYPE', body: () => resp({ mutate: (x) => `<!DOCTYPE r [<!ENTITY e "x">]>${x}` }), code: 'malformed', status: 400 },
      { name: 'N22 oversize (2 MiB)', body: () => Buffer.alloc(2 * 1024 * 1024, 'a').toString('base64'), code: 'too_large', status: 413 },
      { name: 'N23 error status with markup', body: () => resp({ status: { code: 'Requester', sub: 'RequestUnsupported', message: 'AADSTS75011: <script>alert(1)</script>' } }), code: 'idp_error' },
      { name: 'N25 unprovisioned', body: () => resp({ user: { ...alice, upn: 'nobody@acme.test', oid: crypto.randomUUID() } }), code: 'not_provisioned' },
      { name: 'N24 active=false', body: () => resp({ user: { ...alice, upn: 'bob@acme.test', oid: crypto.randomUUID() } }), code: 'user_disabled' },
      { name: 'N26 deleted', body: () => resp({ user: { ...alice, upn: 'carol@acme.test', oid: crypto.randomUUID() } }), code: 'not_provisioned' },
      { name: 'N27 oid differs from the one linked at first sign-in', body: () => resp({ user: { ...alice, oid: crypto.randomUUID() } }), code: 'identity_mismatch' },
      { name: 'N28 tenant A response at tenant B (other certificate)', body: () => resp(), acs: B.urls.acs_url, tenant: B.id, code: 'bad_signature' },
      { name: 'N28 tenant A response at tenant C (same certificate)', body: () => resp(), acs: C.urls.acs_url, tenant: C.id, code: 'wrong_audience' },
      { name: 'disabled tenant', body: () => resp({ user: { ...alice, upn: 'dan@delta.test' } }, D), acs: D.urls.acs_url, tenant: D.id, code: 'tenant_disabled' },
    ];
    for (const c of cases) {
      const html = await expectRefused(t, await postAcs(new CookieJar(), c.acs ?? A.urls.acs_url, c.body()), c.code, c.status ?? 403, c.name);
      if (c.code === 'idp_error') {
        t.notMatch(html, '<script>alert(1)</script>', 'N23: IdP message escaped');
        t.match(html, '&lt;script&gt;', 'N23: shown as text');
      }
      const [last] = await recentSsoEvents(db, c.tenant ?? A.id, 1);
      t.match(last, { outcome: 'refused', reason: new RegExp(`^${c.code}`) }, `${c.name}: audit row with the reason`);
    }
    // SHA-1 is refused only while the tenant does not allow it.
    await db.ssoConfig.update({ where: { tenantId: A.id }, data: { allowSha1: true } });
    t.equal((await postAcs(new CookieJar(), A.urls.acs_url, resp({ sha1: true }))).status, 303, 'SHA-1 accepted when allowed');
    await db.ssoConfig.update({ where: { tenantId: A.id }, data: { allowSha1: false } });
  });

  await t.test('N21 certificate rollover: both pinned certificates verify; a removed one does not', async (t) => {
    const [a1, a2] = [keyPair('idp-a'), keyPair('idp-a2')];
    const { configureSaml } = await import('../src/sso/configure.ts');
    await configureSaml(db, A.id, { xml: A.idp.metadataXml([a1.cert, a2.cert]), matchAttribute: 'userName', allowIdpInitiated: true });
    t.equal((await postAcs(new CookieJar(), A.urls.acs_url, resp({ signer: a1 }))).status, 303, 'old certificate');
    t.equal((await postAcs(new CookieJar(), A.urls.acs_url, resp({ signer: a2 }))).status, 303, 'new certificate');
    await configureSaml(db, A.id, { xml: A.idp.metadataXml([a2.cert]), matchAttribute: 'userName', allowIdpInitiated: true });
    await expectRefused(t, await postAcs(new CookieJar(), A.urls.acs_url, resp({ signer: a1 })), 'bad_signature', 403, 'old certificate removed');
  });
});
