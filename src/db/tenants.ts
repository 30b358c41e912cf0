// Tenants: domain unique case-insensitively through the stored domainKey.
import crypto from 'node:crypto';
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';
import { isUniqueViolation } from './errors.ts';
import { AccountError } from '../accounts/errors.ts';
import { revokeTenantTokenStatements, tenantGrantIds } from './oidc-adapter.ts';

export interface Tenant {
  id: string;
  domain: string;
  name: string;
  enabled: boolean;
  createdAt: Date;
}

const SELECT = { id: true, domain: true, name: true, enabled: true, createdAt: true } as const;

// DNS-label syntax: a domain is typed by people and may become a host name later.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

export function domainKey(domain: string): string {
  return domain.trim().toLowerCase();
}

export function isValidDomain(domain: string): boolean {
  const d = domainKey(domain);
  return d.length >= 2 && d.length <= 253 && DOMAIN_RE.test(d);
}

export async function createTenant(db: Db, input: { domain: string; name: string }): Promise<Tenant> {
  const domain = input.domain.trim();
  const name = input.name.trim();
  if (!isValidDomain(domain)) {
    throw new AccountError('invalid_domain', `invalid domain "${domain}": use letters, digits, hyphens and dots (e.g. acme)`);
  }
  if (!name || name.length > 200) throw new AccountError('invalid_name', 'tenant name must be 1 to 200 characters');
  try {
    return await db.tenant.create({
      data: { id: crypto.randomUUID(), domain: domain.toLowerCase(), domainKey: domainKey(domain), name },
      select: SELECT,
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AccountError('duplicate_domain', `a tenant with domain "${domainKey(domain)}" already exists`);
    }
    throw err;
  }
}

export async function findTenantByDomain(db: Db, domain: string): Promise<Tenant | null> {
  return db.tenant.findUnique({ where: { domainKey: domainKey(domain) }, select: SELECT });
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | null> {
  return db.tenant.findUnique({ where: { id }, select: SELECT });
}

export async function requireTenantByDomain(db: Db, domain: string): Promise<Tenant> {
  const t = await findTenantByDomain(db, domain);
  if (!t) throw new AccountError('unknown_tenant', `no tenant with domain "${domainKey(domain)}"`);
  return t;
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  return db.tenant.findMany({ select: SELECT, orderBy: { domainKey: 'asc' } });
}

/** Disabling also revokes every grant and token of the tenant and ends its console sessions in the
 * same transaction, so that enabling it again revives nothing: Entra must be authorized again, API
 * clients fetch new tokens, managers sign in again. */
export async function setTenantEnabled(db: Db, tenantId: string, enabled: boolean): Promise<void> {
  if (enabled) {
    await db.tenant.update({ where: { id: tenantId }, data: { enabled } });
  } else {
    const grantIds = await tenantGrantIds(db, tenantId, `tenant:${tenantId}`);
    const clients = await db.apiClient.findMany({ where: { tenantId }, select: { id: true } });
    await db.$transaction([
      db.tenant.update({ where: { id: tenantId }, data: { enabled } }),
      ...revokeTenantTokenStatements(db, grantIds, clients.map((c) => c.id)),
      db.connection.updateMany({ where: { tenantId, revokedAt: null }, data: { revokedAt: new Date() } }),
      db.consoleSession.deleteMany({ where: { tenantId } }),
    ]);
  }
}

/** Hot path (token resolution): enabled flag only; null when the tenant no longer exists. */
export async function tenantEnabled(db: Db, id: string): Promise<boolean | null> {
  const t = await db.tenant.findUnique({ where: { id }, select: { enabled: true } });
  return t ? t.enabled : null;
}
