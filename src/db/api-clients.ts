// Client-credentials clients of a tenant (Entra's client-credentials provisioning model). client_id is the row
// id; secrets are 256-bit random values stored only as sha256 (high entropy: a fast hash is sound,
// and the token endpoint can check them without argon2 cost). At most two active secrets, so one
// can be rotated without downtime. Every function takes the tenant and scopes its queries by it.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Db } from './client.ts';
import { AccountError } from '../accounts/errors.ts';
import { revokeClientTokens } from './oidc-adapter.ts';

export const MAX_ACTIVE_SECRETS = 2;
/** Microsoft requires client secrets of the client-credentials model to expire within 1–3 years. */
export const SECRET_LIFETIME_DAYS = 365 * 2;

export interface ApiClientSecretInfo {
  id: string;
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  active: boolean;
}

export interface ApiClientInfo {
  id: string;
  tenantId: string;
  name: string;
  createdAt: Date;
  createdBy: string | null;
  secrets: ApiClientSecretInfo[];
}

export function hashClientSecret(secret: string): string {
  return storedHash(secret);
}

function newSecret(): { value: string; hash: string; hint: string } {
  const value = crypto.randomBytes(32).toString('base64url');
  return { value, hash: hashClientSecret(value), hint: value.slice(-4) };
}

function isActive(s: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): boolean {
  return !s.revokedAt && (!s.expiresAt || s.expiresAt > now);
}

function toInfo(c: { id: string; tenantId: string; name: string; createdAt: Date; createdBy: string | null; secrets: Array<{ id: string; hint: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null }> }): ApiClientInfo {
  return {
    ...c,
    secrets: c.secrets.map((s) => ({ id: s.id, hint: s.hint, createdAt: s.createdAt, expiresAt: s.expiresAt, revokedAt: s.revokedAt, active: isActive(s) })),
  };
}

function secretExpiry(): Date {
  return new Date(Date.now() + SECRET_LIFETIME_DAYS * 86400 * 1000);
}

export async function createClient(db: Db, tenantId: string, name: string, createdBy: string | null): Promise<{ client: ApiClientInfo; secret: string }> {
  const n = name.trim();
  if (!n || n.length > 100) throw new AccountError('invalid_name', 'client name must be 1 to 100 characters');
  const id = `slc_${crypto.randomBytes(12).toString('base64url')}`;
  const s = newSecret();
  const row = await db.apiClient.create({
    data: {
      id,
      tenantId,
      name: n,
      createdBy,
      secrets: { create: { id: crypto.randomUUID(), secretHash: s.hash, hint: s.hint, expiresAt: secretExpiry() } },
    },
    include: { secrets: { orderBy: { createdAt: 'asc' } } },
  });
  return { client: toInfo(row), secret: s.value };
}

export async function listClients(db: Db, tenantId: string): Promise<ApiClientInfo[]> {
  const rows = await db.apiClient.findMany({
    where: { tenantId },
    include: { secrets: { orderBy: { createdAt: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map(toInfo);
}

export async function getClient(db: Db, tenantId: string, clientId: string): Promise<ApiClientInfo | null> {
  const row = await db.apiClient.findFirst({ where: { id: clientId, tenantId }, include: { secrets: { orderBy: { createdAt: 'asc' } } } });
  return row ? toInfo(row) : null;
}

export async function addSecret(db: Db, tenantId: string, clientId: string): Promise<{ id: string; secret: string; hint: string }> {
  const s = newSecret();
  const id = crypto.randomUUID();
  await db.$transaction(async (tx) => {
    const c = await tx.apiClient.findFirst({ where: { id: clientId, tenantId }, include: { secrets: true } });
    if (!c) throw new AccountError('unknown_client', 'no such API client in this tenant');
    if (c.secrets.filter((x) => isActive(x)).length >= MAX_ACTIVE_SECRETS) {
      throw new AccountError('limit_reached', `a client can hold at most ${MAX_ACTIVE_SECRETS} active secrets: revoke one first`);
    }
    await tx.apiClientSecret.create({ data: { id, clientId, secretHash: s.hash, hint: s.hint, expiresAt: secretExpiry() } });
  });
  return { id, secret: s.value, hint: s.hint };
}

export async function revokeSecret(db: Db, tenantId: string, clientId: string, secretId: string): Promise<void> {
  const r = await db.apiClientSecret.updateMany({
    where: { id: secretId, clientId, revokedAt: null, client: { tenantId } },
    data: { revokedAt: new Date() },
  });
  if (r.count === 0) throw new AccountError('unknown_client', 'no such active secret for this client');
}

/** Deletes the client and its secrets and revokes every token it obtained. */
export async function deleteClient(db: Db, tenantId: string, clientId: string): Promise<void> {
  const r = await db.apiClient.deleteMany({ where: { id: clientId, tenantId } });
  if (r.count === 0) throw new AccountError('unknown_client', 'no such API client in this tenant');
  await revokeClientTokens(db, clientId);
}

/** For the provider: the client (any tenant) with its active secret hashes; null if unknown. */
export async function findClientForAuth(db: Db, clientId: string): Promise<{ id: string; tenantId: string; name: string; secretHashes: string[] } | null> {
  const now = new Date();
  const row = await db.apiClient.findUnique({
    where: { id: clientId },
    include: { secrets: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }, select: { secretHash: true } } },
  });
  return row ? { id: row.id, tenantId: row.tenantId, name: row.name, secretHashes: row.secrets.map((s) => s.secretHash) } : null;
}

/** Hot path (token resolution): the client's tenant and whether it is enabled. */
export async function apiClientTenant(db: Db, clientId: string): Promise<{ tenantId: string; enabled: boolean } | null> {
  const c = await db.apiClient.findUnique({ where: { id: clientId }, select: { tenantId: true, tenant: { select: { enabled: true } } } });
  return c ? { tenantId: c.tenantId, enabled: c.tenant.enabled } : null;
}
