// Per-tenant SSO configuration: what an admin's SAML or OpenID Connect input becomes in storage
// (the client secret sealed, the certificate list exactly the metadata's).
import type { Db } from '../db/client.ts';
import { deleteSsoConfig, findSsoCerts, findSsoConfig, replaceSsoConfig, type SsoConfigRow } from '../db/sso-config.ts';
import type { ParsedCert } from './certs.ts';
import type { Config } from '../config.ts';
import { openClientSecret, sealClientSecret } from './secret-box.ts';

export type { SsoConfigRow, StoredCert } from '../db/sso-config.ts';

export type MatchAttribute = 'userName' | 'externalId' | 'email';
export const MATCH_ATTRIBUTES: readonly MatchAttribute[] = ['userName', 'externalId', 'email'];

export const loadSsoConfig = findSsoConfig;
export const loadCerts = findSsoCerts;

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
  await replaceSsoConfig(
    db,
    tenantId,
    {
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
    },
    { list: s.certs, source: s.certSource },
  );
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  entraTenantId: string | null;
  matchAttribute: MatchAttribute;
}

export async function saveOidc(db: Db, config: Config, tenantId: string, s: OidcSettings): Promise<void> {
  await replaceSsoConfig(
    db,
    tenantId,
    {
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
    },
    { list: [], source: 'url' },
  );
}

export function oidcClientSecret(config: Config, cfg: SsoConfigRow): string {
  if (!cfg.oidcSecretEnc) throw new Error('no OIDC client secret stored');
  return openClientSecret(config, cfg.tenantId, cfg.oidcSecretEnc);
}

/** Turning SSO off forgets the configuration, and with it the enforcement switch. */
export const removeSso = deleteSsoConfig;
