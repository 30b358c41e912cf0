// The per-tenant URLs Entra stores (Identifier, Reply URL, Sign on URL, Logout URL). They are keyed
// by the tenant's immutable id, never by its editable domain, because Entra keeps them verbatim and
// a renamed domain must not break sign-in. Built from PUBLIC_URL, never from the Host header.
import type { Config } from '../config.ts';

export interface SpUrls {
  entity_id: string;
  metadata_url: string;
  acs_url: string;
  sign_on_url: string;
  logout_url: string;
  oidc_redirect_uri: string;
  oidc_logout_url: string;
  oidc_login_url: string;
}

export function spUrls(config: Config, tenantId: string): SpUrls {
  const base = `${config.publicUrl}/sso/${tenantId}`;
  return {
    entity_id: `${base}/saml`,
    metadata_url: `${base}/saml/metadata`,
    acs_url: `${base}/saml/acs`,
    sign_on_url: `${base}/saml/login`,
    logout_url: `${base}/saml/slo`,
    // One redirect URI for every tenant (an app registration allows at most 256); the tenant
    // travels in server-side state keyed by `state`.
    oidc_redirect_uri: `${config.publicUrl}/sso/oidc/callback`,
    // The app registration's "Front-channel logout URL"; shared too, the issuer names the tenant.
    oidc_logout_url: `${config.publicUrl}/sso/oidc/logout`,
    oidc_login_url: `${base}/oidc/login`,
  };
}

export const URL_KEYS = ['entity_id', 'metadata_url', 'acs_url', 'sign_on_url', 'logout_url', 'oidc_redirect_uri', 'oidc_logout_url'] as const;
