// The accounts tokens are issued to (oidc-provider's findAccount): a tenant (Entra's Authorize:
// the tenant is provisioned, whoever clicked), a manager (the console), or an end user of a
// SecureLogin app. An account that no longer exists or is disabled is not found, which makes the
// provider refuse refreshes (invalid_grant) and stop resolving its tokens.
import type { Db } from '../db/client.ts';
import { findTenantById } from '../db/tenants.ts';
import { findManagerWithTenant } from '../db/managers.ts';
import { brokerAccount } from '../sso/broker.ts';
import { parseAccountId } from './accounts-ids.ts';

interface Account {
  accountId: string;
  claims(): Promise<Record<string, unknown>>;
}

async function tenantAccount(db: Db, accountId: string, tenantId: string): Promise<Account | undefined> {
  const t = await findTenantById(db, tenantId);
  if (!t || !t.enabled) return undefined;
  return { accountId, claims: async () => ({ sub: accountId, tenant_id: t.id, tenant_domain: t.domain, tenant_name: t.name }) };
}

async function managerAccount(db: Db, accountId: string, managerId: string): Promise<Account | undefined> {
  const m = await findManagerWithTenant(db, managerId);
  if (!m || !m.enabled || !m.tenant.enabled) return undefined;
  return {
    accountId,
    claims: async () => ({
      sub: m.id,
      tenant_id: m.tenantId,
      tenant_domain: m.tenant.domain,
      tenant_name: m.tenant.name,
      username: m.username,
      role: m.role,
      must_change_password: m.mustChangePassword,
    }),
  };
}

export function findAccount(db: Db) {
  return async (_ctx: unknown, id: string) => {
    const parsed = parseAccountId(id);
    // End users of SecureLogin apps: SCIM user ids, in the same UUID space as manager ids.
    const endUser = parsed?.kind === 'manager' ? await brokerAccount(db, id) : undefined;
    if (endUser) return endUser;
    if (!parsed) return undefined;
    if (parsed.kind === 'tenant') return tenantAccount(db, id, parsed.id);
    return managerAccount(db, id, parsed.id);
  };
}
