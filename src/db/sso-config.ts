// A tenant's single sign-on configuration and its pinned SAML signing certificates. Every query
// names the tenant, except the two that exist to find tenants: the daily metadata refresh (every
// SAML tenant with a metadata URL) and OpenID Connect front-channel logout (the issuer Entra sends
// is what names the tenant).
import crypto from 'node:crypto';
import type { Db } from './client.ts';

export interface SsoConfigRow {
  tenantId: string;
  protocol: string;
  matchAttribute: string;
  enforce: boolean;
  entraTenantId: string | null;
  idpEntityId: string | null;
  idpSsoUrl: string | null;
  idpSloUrl: string | null;
  metadataUrl: string | null;
  allowIdpInitiated: boolean;
  allowSha1: boolean;
  allowExpiredCerts: boolean;
  oidcIssuer: string | null;
  oidcClientId: string | null;
  oidcSecretEnc: string | null;
  updatedAt: Date;
}

export interface StoredCert {
  id: string;
  pem: string;
  fingerprint: string;
  notAfter: Date;
  source: string;
}

export interface NewCert {
  pem: string;
  fingerprint: string;
  notAfter: Date;
}

/** The columns a protocol switch rewrites; the settings an admin chose (enforce, expired
 * certificates) are kept across a re-import. */
export type ProtocolColumns = Omit<SsoConfigRow, 'tenantId' | 'protocol' | 'enforce' | 'allowSha1' | 'allowExpiredCerts' | 'updatedAt'> & {
  protocol: 'saml' | 'oidc';
  allowSha1?: boolean;
};

export interface SsoSettings {
  matchAttribute: string;
  enforce: boolean;
  allowIdpInitiated: boolean;
  allowExpiredCerts: boolean;
}

export async function findSsoConfig(db: Db, tenantId: string): Promise<SsoConfigRow | null> {
  return db.ssoConfig.findUnique({ where: { tenantId } });
}

export async function findSsoCerts(db: Db, tenantId: string): Promise<StoredCert[]> {
  return db.ssoCert.findMany({ where: { tenantId }, orderBy: { notAfter: 'desc' }, select: { id: true, pem: true, fingerprint: true, notAfter: true, source: true } });
}

/** Writes the protocol columns and makes the certificate list exactly `certs`, in one transaction. */
export async function replaceSsoConfig(db: Db, tenantId: string, data: ProtocolColumns, certs: { list: NewCert[]; source: string }): Promise<void> {
  await db.$transaction([
    db.ssoConfig.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data }),
    db.ssoCert.deleteMany({ where: { tenantId } }),
    ...(certs.list.length
      ? [db.ssoCert.createMany({ data: certs.list.map((c) => ({ id: crypto.randomUUID(), tenantId, pem: c.pem, fingerprint: c.fingerprint, notAfter: c.notAfter, source: certs.source })) })]
      : []),
  ]);
}

/** False when the tenant has no configuration (nothing to change). */
export async function updateSsoSettings(db: Db, tenantId: string, settings: SsoSettings): Promise<boolean> {
  const r = await db.ssoConfig.updateMany({ where: { tenantId }, data: settings });
  return r.count === 1;
}

/** Removes the configuration and its certificates; false when there was none. */
export async function deleteSsoConfig(db: Db, tenantId: string): Promise<boolean> {
  const [, deleted] = await db.$transaction([db.ssoCert.deleteMany({ where: { tenantId } }), db.ssoConfig.deleteMany({ where: { tenantId } })]);
  return deleted.count > 0;
}

/** Across tenants: the SAML configurations whose metadata is re-read from a URL. */
export async function listSamlConfigsWithMetadataUrl(db: Db): Promise<SsoConfigRow[]> {
  return db.ssoConfig.findMany({ where: { protocol: 'saml', metadataUrl: { not: null } } });
}

/** Across tenants: the OpenID Connect configurations of one issuer (the tenants it names). */
export async function findOidcConfigsByIssuer(db: Db, issuer: string): Promise<Array<{ tenantId: string; oidcIssuer: string }>> {
  const rows = await db.ssoConfig.findMany({ where: { protocol: 'oidc', oidcIssuer: issuer }, select: { tenantId: true, oidcIssuer: true } });
  return rows.flatMap((r) => (r.oidcIssuer ? [{ tenantId: r.tenantId, oidcIssuer: r.oidcIssuer }] : []));
}
