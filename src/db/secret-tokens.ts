// Long-lived SCIM secret tokens for non-gallery Entra apps. A non-gallery app's provisioning blade
// offers only "Tenant URL" and "Secret Token" and never refreshes, so the token must live as long
// as the admin chooses (up to two years, or without expiry). The value is 256 random bits: a fast
// SHA-256 is sound for lookup (no dictionary to attack) and keeps resolution one indexed read.
// Several tokens may be active at once so a new one can be pasted into Entra before the old one
// is revoked.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Db } from './client.ts';

/** Recognisable in logs and secret scanners, and lets the resolver route without a lookup. */
export const SECRET_TOKEN_PREFIX = 'slst_';
export const MAX_EXPIRY_DAYS = 730;
export const MAX_ACTIVE_TOKENS = 5;
const NAME_MAX = 100;

export interface SecretTokenInfo {
  id: string;
  tenantId: string;
  name: string;
  hint: string;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  active: boolean;
}

export class SecretTokenError extends Error {
  readonly code: 'invalid_name' | 'invalid_expiry' | 'duplicate_name' | 'limit_reached' | 'unknown_token';
  constructor(code: SecretTokenError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'SecretTokenError';
  }
}

export function hashSecretToken(value: string): string {
  return storedHash(value);
}

function isActive(t: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): boolean {
  return !t.revokedAt && (!t.expiresAt || t.expiresAt > now);
}

type Row = Omit<SecretTokenInfo, 'active'> & { nameKey: string; tokenHash: string };

function toInfo(r: Row, now = new Date()): SecretTokenInfo {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    hint: r.hint,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    expiresAt: r.expiresAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    active: isActive(r, now),
  };
}

/** `null` means no expiry; otherwise whole days from 1 to MAX_EXPIRY_DAYS. */
export function parseExpiryDays(raw: string | number | null | undefined): number | null {
  if (raw === null || raw === undefined || raw === '' || raw === 'never' || raw === 'none') return null;
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_EXPIRY_DAYS) {
    throw new SecretTokenError('invalid_expiry', `expiry must be 1 to ${MAX_EXPIRY_DAYS} days (two years), or none`);
  }
  return n;
}

export async function createSecretToken(
  db: Db,
  input: { tenantId: string; name: string; expiresInDays: number | null; createdBy: string | null },
  now = new Date(),
): Promise<{ token: SecretTokenInfo; value: string }> {
  const name = input.name.trim();
  if (!name || name.length > NAME_MAX) throw new SecretTokenError('invalid_name', `token name must be 1 to ${NAME_MAX} characters`);
  const days = parseExpiryDays(input.expiresInDays);
  const value = `${SECRET_TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const nameKey = name.toLowerCase();
  const row = await db.$transaction(async (tx) => {
    const active = (await tx.scimSecretToken.findMany({ where: { tenantId: input.tenantId, revokedAt: null } })).filter((t) => isActive(t, now));
    if (active.some((t) => t.nameKey === nameKey)) {
      throw new SecretTokenError('duplicate_name', `an active token named "${name}" already exists: choose another name or revoke it first`);
    }
    if (active.length >= MAX_ACTIVE_TOKENS) {
      throw new SecretTokenError('limit_reached', `a tenant can hold at most ${MAX_ACTIVE_TOKENS} active secret tokens: revoke one first`);
    }
    return tx.scimSecretToken.create({
      data: {
        id: crypto.randomUUID(),
        tenantId: input.tenantId,
        name,
        nameKey,
        tokenHash: hashSecretToken(value),
        hint: value.slice(-4),
        createdAt: now,
        createdBy: input.createdBy,
        expiresAt: days === null ? null : new Date(now.getTime() + days * 86_400_000),
      },
    });
  });
  return { token: toInfo(row, now), value };
}

export async function listSecretTokens(db: Db, tenantId: string): Promise<SecretTokenInfo[]> {
  const rows = await db.scimSecretToken.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  const now = new Date();
  return rows.map((r) => toInfo(r, now));
}

export async function getSecretToken(db: Db, tenantId: string, id: string): Promise<SecretTokenInfo | null> {
  const r = await db.scimSecretToken.findFirst({ where: { tenantId, id } });
  return r ? toInfo(r) : null;
}

/** The active token of that name (names are unique among active tokens), for the CLI. */
export async function findActiveTokenByName(db: Db, tenantId: string, name: string): Promise<SecretTokenInfo | null> {
  const rows = await db.scimSecretToken.findMany({ where: { tenantId, nameKey: name.trim().toLowerCase(), revokedAt: null } });
  const now = new Date();
  const r = rows.find((x) => isActive(x, now));
  return r ? toInfo(r, now) : null;
}

export async function revokeSecretToken(db: Db, tenantId: string, id: string): Promise<SecretTokenInfo> {
  const r = await db.scimSecretToken.updateMany({ where: { tenantId, id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (r.count === 0) throw new SecretTokenError('unknown_token', 'no such active secret token in this tenant');
  return (await getSecretToken(db, tenantId, id))!;
}

/** Hot path on a cache miss: the token row by hash with its tenant's enabled flag. */
export async function findTokenForAuth(db: Db, value: string) {
  const r = await db.scimSecretToken.findUnique({ where: { tokenHash: hashSecretToken(value) } });
  if (!r) return null;
  const t = await db.tenant.findUnique({ where: { id: r.tenantId }, select: { enabled: true } });
  return { id: r.id, tenantId: r.tenantId, expiresAt: r.expiresAt, revokedAt: r.revokedAt, tenantEnabled: t?.enabled ?? false };
}

/** Monotonic: a late write never moves lastUsedAt backwards. */
export async function touchSecretToken(db: Db, id: string, at: Date): Promise<void> {
  await db.scimSecretToken.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } });
}
