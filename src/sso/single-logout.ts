// Signing out at Entra too, after our own session has ended (SAML 2.0 Core §3.7, OpenID Connect
// RP-Initiated Logout 1.0). Entra takes SAML logout messages over HTTP-Redirect only.
//  - SAML: a LogoutRequest with Issuer = our Entity ID (the Issuer Entra knows the app by; another
//    one fails with AADSTS50068) naming the NameID and SessionIndex of the assertion that opened the
//    session. Its ID is stored, bound to the tenant, and Entra's LogoutResponse must answer it once.
//    That LogoutResponse's Issuer is https://login.microsoftonline.com/{tid}/, a different host
//    than the sts.windows.net issuer of its assertions, so both are accepted.
//  - OIDC: the end_session_endpoint from the issuer's discovery document.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createSsoRequest } from '../db/sso-requests.ts';
import type { SsoConfigRow } from './config-store.ts';
import { clientConfig } from './oidc.ts';
import { Refusal } from './refusals.ts';
import { consumeRequest } from './saml-request.ts';
import type { SpUrls } from './urls.ts';
import { NS, child, parseStrict, text } from './xml.ts';

/** Entra answers a LogoutRequest at once; ten minutes bounds a tab left open on its page. */
const LOGOUT_TTL_MS = 10 * 60_000;
/** A LogoutResponse is a few hundred bytes; inflating more than this is not one. */
const MAX_LOGOUT_XML = 64 * 1024;
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function logoutRequestXml(id: string, input: { urls: SpUrls; idpSloUrl: string; nameId: string; sessionIndex: string | null }, now = new Date()): string {
  return (
    `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
    ` ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(input.idpSloUrl)}">` +
    `<saml:Issuer>${esc(input.urls.entity_id)}</saml:Issuer>` +
    `<saml:NameID>${esc(input.nameId)}</saml:NameID>` +
    (input.sessionIndex ? `<samlp:SessionIndex>${esc(input.sessionIndex)}</samlp:SessionIndex>` : '') +
    `</samlp:LogoutRequest>`
  );
}

/** The Entra URL that ends the user's Entra session, or null when the tenant gave no logout URL
 * or the session has no NameID to name. */
export async function samlLogoutUrl(db: Db, input: { tenantId: string; cfg: SsoConfigRow; urls: SpUrls; nameId: string | null | undefined; sessionIndex: string | null | undefined }): Promise<string | null> {
  if (!input.cfg.idpSloUrl || !input.nameId) return null;
  const id = `_${crypto.randomBytes(20).toString('hex')}`;
  await createSsoRequest(db, { id, tenantId: input.tenantId, kind: 'saml_logout', expiresAt: new Date(Date.now() + LOGOUT_TTL_MS) });
  const xml = logoutRequestXml(id, { urls: input.urls, idpSloUrl: input.cfg.idpSloUrl, nameId: input.nameId, sessionIndex: input.sessionIndex ?? null });
  const target = new URL(input.cfg.idpSloUrl);
  target.searchParams.set('SAMLRequest', zlib.deflateRawSync(Buffer.from(xml)).toString('base64'));
  return target.toString();
}

/** The origin sign-out continues to: Entra's SAML logout URL, or the OIDC issuer's (Entra serves
 * end_session_endpoint on the issuer's host). */
export function upstreamLogoutOrigin(cfg: SsoConfigRow | null): string | null {
  const url = cfg?.protocol === 'saml' ? cfg.idpSloUrl : cfg?.protocol === 'oidc' ? cfg.oidcIssuer : null;
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

export function logoutIssuers(cfg: SsoConfigRow): string[] {
  const out = cfg.idpEntityId ? [cfg.idpEntityId] : [];
  if (cfg.entraTenantId) out.push(`https://login.microsoftonline.com/${cfg.entraTenantId}/`);
  return out;
}

/** Checks Entra's answer to our LogoutRequest; true when Entra reports success. */
export async function acceptLogoutResponse(db: Db, input: { tenantId: string; cfg: SsoConfigRow; samlResponse: string }): Promise<boolean> {
  let xml: string;
  try {
    xml = zlib.inflateRawSync(Buffer.from(input.samlResponse, 'base64'), { maxOutputLength: MAX_LOGOUT_XML }).toString('utf8');
  } catch {
    throw new Refusal('malformed', 'LogoutResponse is not DEFLATE + base64');
  }
  let root;
  try {
    root = parseStrict(xml).documentElement!;
  } catch (err) {
    throw new Refusal('malformed', (err as Error).message);
  }
  if (root.namespaceURI !== NS.samlp || root.localName !== 'LogoutResponse') throw new Refusal('malformed', 'not a LogoutResponse');
  const issuer = text(child(root, NS.saml, 'Issuer'));
  if (!issuer || !logoutIssuers(input.cfg).includes(issuer)) throw new Refusal('wrong_issuer', `logout issuer ${issuer}`);
  const inResponseTo = root.getAttribute('InResponseTo');
  if (!inResponseTo || !(await consumeRequest(db, inResponseTo, input.tenantId, 'saml_logout'))) throw new Refusal('unknown_request', `LogoutResponse InResponseTo ${inResponseTo}`);
  const status = child(root, NS.samlp, 'Status');
  const code = status ? child(status, NS.samlp, 'StatusCode') : null;
  return code?.getAttribute('Value') === SUCCESS;
}

/** Entra's end_session_endpoint for this tenant's OIDC app, or null when discovery has none or
 * cannot be read (our session has ended either way). */
export async function oidcLogoutUrl(appConfig: Config, cfg: SsoConfigRow): Promise<string | null> {
  try {
    const c = await clientConfig(appConfig, cfg);
    if (!c.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(c, {}).toString();
  } catch {
    return null;
  }
}
