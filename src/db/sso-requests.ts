// Outstanding single sign-on requests of a tenant: SAML AuthnRequest and LogoutRequest IDs and
// OpenID Connect state (with its nonce and PKCE verifier). Each is used once. The OIDC redirect URI
// is shared by every tenant, so the callback first learns the tenant from the state it received.
import type { Db } from './client.ts';

export type SsoRequestKind = 'saml' | 'oidc' | 'saml_logout';

export interface SsoRequestRow {
  id: string;
  tenantId: string;
  kind: string;
  returnTo: string | null;
  nonce: string | null;
  codeVerifier: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function createSsoRequest(
  db: Db,
  input: { id: string; tenantId: string; kind: SsoRequestKind; expiresAt: Date; returnTo?: string | null; nonce?: string; codeVerifier?: string },
): Promise<void> {
  await db.ssoRequest.create({
    data: { id: input.id, tenantId: input.tenantId, kind: input.kind, returnTo: input.returnTo ?? null, nonce: input.nonce ?? null, codeVerifier: input.codeVerifier ?? null, expiresAt: input.expiresAt },
  });
}

/** The tenant and kind an OIDC state was issued for (the state is a 256-bit random value). */
export async function findSsoRequestOrigin(db: Db, id: string): Promise<{ tenantId: string; kind: string } | null> {
  return db.ssoRequest.findUnique({ where: { id }, select: { tenantId: true, kind: true } });
}

/** Marks the request used, once: null when unknown, for another tenant or kind, expired or used. */
export async function consumeSsoRequest(db: Db, tenantId: string, id: string, kind: SsoRequestKind, now = new Date()): Promise<SsoRequestRow | null> {
  const r = await db.ssoRequest.updateMany({ where: { id, tenantId, kind, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (r.count !== 1) return null;
  return db.ssoRequest.findFirst({ where: { id, tenantId } });
}

/** Across tenants: expired requests are useless (every check compares expiresAt). */
export async function deleteExpiredSsoRequests(db: Db, now: Date): Promise<void> {
  await db.ssoRequest.deleteMany({ where: { expiresAt: { lte: now } } });
}
