// The SP-initiated AuthnRequest in the shape Entra accepts, over HTTP-Redirect (DEFLATE + base64):
// ID starting with "_" (Entra refuses IDs starting with a digit), Issuer = our Entity ID (Entra
// finds the app by it), our ACS URL (must be a registered Reply URL), no Subject, no
// RequestedAuthnContext (a mismatch with how the user really signed in fails with AADSTS75011) and
// no NameIDPolicy Format (SP- and IdP-initiated NameIDs would differ). Unsigned, like Entra's
// default. The ID is stored, bound to this tenant, and consumed once by the ACS.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Db } from '../db/client.ts';
import { consumeSsoRequest, createSsoRequest, type SsoRequestKind } from '../db/sso-requests.ts';
import type { SpUrls } from './urls.ts';

/** Entra answers within its own session/MFA flow; an hour bounds an abandoned sign-in. */
export const REQUEST_TTL_MS = 60 * 60 * 1000;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function authnRequestXml(id: string, urls: SpUrls, idpSsoUrl: string, now = new Date()): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
    ` ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(idpSsoUrl)}"` +
    ` AssertionConsumerServiceURL="${esc(urls.acs_url)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
    `<saml:Issuer>${esc(urls.entity_id)}</saml:Issuer>` +
    `</samlp:AuthnRequest>`
  );
}

export async function startSamlRequest(
  db: Db,
  input: { tenantId: string; urls: SpUrls; idpSsoUrl: string; returnTo: string | null; loginHint?: string | null },
): Promise<string> {
  const id = `_${crypto.randomBytes(20).toString('hex')}`;
  await createSsoRequest(db, { id, tenantId: input.tenantId, kind: 'saml', returnTo: input.returnTo, expiresAt: new Date(Date.now() + REQUEST_TTL_MS) });
  const encoded = zlib.deflateRawSync(Buffer.from(authnRequestXml(id, input.urls, input.idpSsoUrl))).toString('base64');
  const target = new URL(input.idpSsoUrl);
  target.searchParams.set('SAMLRequest', encoded);
  // Entra takes a login hint as a query parameter, never as a Subject in the request.
  if (input.loginHint) target.searchParams.set('login_hint', input.loginHint);
  return target.toString();
}

/** Marks the request used, once: false when unknown, for another tenant, expired or used. */
export async function consumeRequest(db: Db, id: string, tenantId: string, kind: SsoRequestKind) {
  return consumeSsoRequest(db, tenantId, id, kind);
}
