// Resolving the tenant of an /sso/{tenantId}/… URL: the id is the immutable tenant id.
import type { Db } from '../db/client.ts';
import { findTenantById, type Tenant } from '../db/tenants.ts';
import { loadSsoConfig, type SsoConfigRow } from './config-store.ts';
import { Refusal } from './refusals.ts';

const ID = /^[0-9a-f-]{36}$/i;

export async function tenantFor(db: Db, id: string): Promise<Tenant> {
  const t = ID.test(id) ? await findTenantById(db, id.toLowerCase()) : null;
  if (!t) throw new Refusal('tenant_unknown');
  return t;
}

export async function ssoTenant(db: Db, id: string, protocol: 'saml' | 'oidc'): Promise<{ tenant: Tenant; cfg: SsoConfigRow }> {
  const tenant = await tenantFor(db, id);
  if (!tenant.enabled) throw Object.assign(new Refusal('tenant_disabled'), { tenant });
  const cfg = await loadSsoConfig(db, tenant.id);
  if (!cfg || cfg.protocol !== protocol) throw Object.assign(new Refusal('sso_not_configured', `protocol ${cfg?.protocol ?? 'none'}`), { tenant });
  return { tenant, cfg };
}
