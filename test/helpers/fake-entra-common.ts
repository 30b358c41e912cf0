// Shared plumbing for the SSO tests: provisioned users through the real SCIM API, SAML set up from
// a local Entra-shaped IdP's metadata, and the checks every refusal must pass.
import crypto from 'node:crypto';
import type { Test } from 'tap';
import { findTenantByDomain } from '../../src/db/tenants.ts';
import { configureOidc, configureSaml } from '../../src/sso/configure.ts';
import { spUrls, type SpUrls } from '../../src/sso/urls.ts';
import type { TestServer } from './server.ts';
import { tenantWithToken, userBody, type Tenant } from './scim.ts';
import { FakeEntraSaml } from './fake-entra-saml.ts';
import { FakeEntraOidc } from './fake-entra-oidc.ts';
import { CookieJar } from './oauth.ts';

export interface SamlTenant extends Tenant {
  id: string;
  idp: FakeEntraSaml;
  urls: SpUrls;
}

export async function samlTenant(server: TestServer, name: string, tid: string, opts: { keyName?: string; allowIdpInitiated?: boolean; matchAttribute?: 'userName' | 'externalId' | 'email' } = {}): Promise<SamlTenant> {
  const base = await tenantWithToken(server, name);
  const row = (await findTenantByDomain(server.app.db, base.domain))!;
  const idp = new FakeEntraSaml(tid, opts.keyName ?? 'idp-a');
  const urls = spUrls(server.config, row.id);
  await idp.start((audience) => (audience === urls.entity_id ? urls.acs_url : 'unknown'));
  await configureSaml(server.app.db, row.id, { xml: idp.metadataXml(), matchAttribute: opts.matchAttribute ?? 'userName', allowIdpInitiated: opts.allowIdpInitiated ?? false });
  return { ...base, id: row.id, idp, urls };
}

export interface OidcTenant extends Tenant {
  id: string;
  idp: FakeEntraOidc;
  urls: SpUrls;
}

/** A tenant with OpenID Connect single sign-on through a local Entra-shaped provider, stopped at
 * the end of `t`. */
export async function oidcTenant(t: { teardown(fn: () => unknown): void }, server: TestServer, name: string, tid: string): Promise<OidcTenant> {
  const base = await tenantWithToken(server, name);
  const row = (await findTenantByDomain(server.app.db, base.domain))!;
  const urls = spUrls(server.config, row.id);
  const idp = new FakeEntraOidc(tid);
  await idp.start(urls.oidc_redirect_uri);
  t.teardown(() => idp.stop());
  await configureOidc(server.app.db, server.config, row.id, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, matchAttribute: 'userName' });
  return { ...base, id: row.id, idp, urls };
}

export async function provision(tn: Tenant, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await tn.scim.req('POST', '/Users', userBody(userName, extra));
  if (r.status !== 201) throw new Error(`SCIM create ${userName}: ${r.status} ${r.text}`);
  return r.json.id as string;
}

export function postAcs(jar: CookieJar, acsUrl: string, samlResponse: string, relayState?: string): Promise<Response> {
  const form: Record<string, string> = { SAMLResponse: samlResponse };
  if (relayState !== undefined) form.RelayState = relayState;
  return jar.post(acsUrl, form);
}

export function sessionCookieSet(res: Response): boolean {
  return res.headers.getSetCookie().some((c) => /^(__Host-)?sl_user=[^;]+/.test(c) && !/max-age=0/i.test(c));
}

/** A refusal: the right status and code on the page, no session cookie. */
export async function expectRefused(t: Test, res: Response, code: string, status: number, what: string): Promise<string> {
  const html = await res.text();
  t.equal(res.status, status, `${what}: status ${status}`);
  t.match(html, `data-refusal="${code}"`, `${what}: refused as ${code}`);
  t.notOk(sessionCookieSet(res), `${what}: no session`);
  return html;
}

/** Verifies an ID token the way an app would: RS256 signature by a key of our JWKS (by kid), then
 * iss, aud and exp. node:crypto only, so the test depends on no transitive package. */
export async function verifyIdToken(jwksUrl: string, token: string, expected: { issuer: string; audience: string }): Promise<Record<string, unknown>> {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string };
  if (header.alg !== 'RS256') throw new Error(`unexpected alg ${header.alg}`);
  const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: Array<Record<string, string>> };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in the JWKS`);
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('bad ID token signature');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  if (payload.iss !== expected.issuer) throw new Error(`iss ${payload.iss}`);
  if (payload.aud !== expected.audience && !(Array.isArray(payload.aud) && payload.aud.includes(expected.audience))) throw new Error(`aud ${payload.aud}`);
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now()) throw new Error('expired');
  return payload;
}
