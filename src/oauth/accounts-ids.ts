// Account ids as oidc-provider sees them. For the Entra client the account is the TENANT, not the
// person who clicked Authorize: Microsoft notes that a code-grant connection bound to the
// authorizing user breaks when that user leaves the organisation, so ours must survive that admin
// leaving; for the console it is the manager, whose id is then the ID token's `sub` (a UUID,
// which never starts with the tenant prefix).
export const TENANT_PREFIX = 'tenant:';

export function tenantAccountId(tenantId: string): string {
  return `${TENANT_PREFIX}${tenantId}`;
}

export function managerAccountId(managerId: string): string {
  return managerId;
}

export function parseAccountId(id: unknown): { kind: 'tenant' | 'manager'; id: string } | null {
  if (typeof id !== 'string') return null;
  if (id.startsWith(TENANT_PREFIX)) return { kind: 'tenant', id: id.slice(TENANT_PREFIX.length) };
  return id ? { kind: 'manager', id } : null;
}
