// Per-tenant SSO configuration and pinned certificates (the only code that writes them).
import crypto from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { ParsedCert } from './certs.ts';
import type { Config } from '../config.ts';
import { openClientSecret, sealClientSecret } from './secret-box.ts';

export type MatchAttribute = 'userName' | 'externalId' | 'email';
export const MATCH_ATTRIBUTES: readonly MatchAttribute[] = ['userName', 'externalId', 'email'];

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

export async function loadSsoConfig(db: Db, tenantId: string): Promise<SsoConfigRow | null> {
  return db.ssoConfig.findUnique({ where: { tenantId } });
}

export async function loadCerts(db: Db, tenantId: string): Promise<StoredCert[]> {
  return db.ssoCert.findMany({ where: { tenantId }, orderBy: { notAfter: 'desc' }, select: { id: true, pem: true, fingerprint: true, notAfter: true, source: true } });
}

export interface SamlSettings {
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl: string | null;
  entraTenantId: string | null;
  metadataUrl: string | null;
  certs: ParsedCert[];
  certSource: 'file' | 'url';
  matchAttribute: MatchAttribute;
  allowIdpInitiated: boolean;
  allowSha1?: boolean;
}

/** Replaces the tenant's SSO with SAML; the certificate list becomes exactly the metadata's. */
export async function saveSaml(db: Db, tenantId: string, s: SamlSettings): Promise<void> {
  const data = {
    protocol: 'saml',
    matchAttribute: s.matchAttribute,
    entraTenantId: s.entraTenantId,
    idpEntityId: s.idpEntityId,
    idpSsoUrl: s.idpSsoUrl,
    idpSloUrl: s.idpSloUrl,
    metadataUrl: s.metadataUrl,
    allowIdpInitiated: s.allowIdpInitiated,
    allowSha1: s.allowSha1 ?? false,
    oidcIssuer: null,
    oidcClientId: null,
    oidcSecretEnc: null,
  };
  await db.$transaction([
    db.ssoConfig.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data }),
    db.ssoCert.deleteMany({ where: { tenantId } }),
    db.ssoCert.createMany({
      data: s.certs.map((c) => ({ id: crypto.randomUUID(), tenantId, pem: c.pem, fingerprint: c.fingerprint, notAfter: c.notAfter, source: s.certSource })),
    }),
  ]);
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  entraTenantId: string | null;
  matchAttribute: MatchAttribute;
}

export async function saveOidc(db: Db, config: Config, tenantId: string, s: OidcSettings): Promise<void> {
  const data = {
    protocol: 'oidc',
    matchAttribute: s.matchAttribute,
    entraTenantId: s.entraTenantId,
    idpEntityId: null,
    idpSsoUrl: null,
    idpSloUrl: null,
    metadataUrl: null,
    allowIdpInitiated: false,
    oidcIssuer: s.issuer,
    oidcClientId: s.clientId,
    oidcSecretEnc: sealClientSecret(config, tenantId, s.clientSecret),
  };
  await db.$transaction([
    db.ssoConfig.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data }),
    db.ssoCert.deleteMany({ where: { tenantId } }),
  ]);
}

export function oidcClientSecret(config: Config, cfg: SsoConfigRow): string {
  if (!cfg.oidcSecretEnc) throw new Error('no OIDC client secret stored');
  return openClientSecret(config, cfg.tenantId, cfg.oidcSecretEnc);
}

export async function setEnforce(db: Db, tenantId: string, enforce: boolean): Promise<void> {
  await db.ssoConfig.update({ where: { tenantId }, data: { enforce } });
}

export async function removeSso(db: Db, tenantId: string): Promise<boolean> {
  const [, deleted] = await db.$transaction([db.ssoCert.deleteMany({ where: { tenantId } }), db.ssoConfig.deleteMany({ where: { tenantId } })]);
  return deleted.count > 0;
}
