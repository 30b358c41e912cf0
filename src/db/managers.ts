// Managers of a tenant (issue 2 §2, issue 4 §6). Every query is scoped by tenantId. The "last admin"
// rule lives here, inside the transaction that changes the row, so two concurrent demotions cannot
// both pass a check made outside it.
import crypto from 'node:crypto';
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';
import { isUniqueViolation } from './errors.ts';
import { AccountError } from '../accounts/errors.ts';

export type Role = 'admin' | 'viewer';

export interface Manager {
  id: string;
  tenantId: string;
  username: string;
  role: Role;
  enabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface ManagerWithHash extends Manager {
  passwordHash: string;
}

const SELECT = {
  id: true,
  tenantId: true,
  username: true,
  role: true,
  enabled: true,
  mustChangePassword: true,
  lastLoginAt: true,
  createdAt: true,
} as const;

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export function isRole(v: unknown): v is Role {
  return v === 'admin' || v === 'viewer';
}

function asManager<T extends { role: string }>(row: T): T & { role: Role } {
  return { ...row, role: row.role === 'admin' ? 'admin' : 'viewer' };
}

export function validateUsername(username: string): string {
  const u = username.trim();
  if (!USERNAME_RE.test(u)) {
    throw new AccountError('invalid_username', 'username must be 1 to 128 characters: letters, digits and . _ @ + -, starting with a letter or digit');
  }
  return u;
}

export async function createManager(
  db: Db,
  input: { tenantId: string; username: string; passwordHash: string; role: Role; mustChangePassword?: boolean },
): Promise<Manager> {
  const username = validateUsername(input.username);
  if (!isRole(input.role)) throw new AccountError('invalid_role', 'role must be admin or viewer');
  try {
    const row = await db.manager.create({
      data: {
        id: crypto.randomUUID(),
        tenantId: input.tenantId,
        username,
        usernameKey: usernameKey(username),
        passwordHash: input.passwordHash,
        role: input.role,
        mustChangePassword: input.mustChangePassword ?? false,
      },
      select: SELECT,
    });
    return asManager(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AccountError('duplicate_username', `a manager named "${username}" already exists in this tenant`);
    }
    throw err;
  }
}

export async function listManagers(db: Db, tenantId: string): Promise<Manager[]> {
  const rows = await db.manager.findMany({ where: { tenantId }, select: SELECT, orderBy: { usernameKey: 'asc' } });
  return rows.map(asManager);
}

export async function findManagerByUsername(db: Db, tenantId: string, username: string): Promise<ManagerWithHash | null> {
  const row = await db.manager.findUnique({
    where: { tenantId_usernameKey: { tenantId, usernameKey: usernameKey(username) } },
    select: { ...SELECT, passwordHash: true },
  });
  return row ? asManager(row) : null;
}

export async function findManagerById(db: Db, tenantId: string, id: string): Promise<ManagerWithHash | null> {
  const row = await db.manager.findFirst({ where: { id, tenantId }, select: { ...SELECT, passwordHash: true } });
  return row ? asManager(row) : null;
}

/** For the OIDC account lookup: the manager and its tenant in one query. */
export async function findManagerWithTenant(db: Db, id: string) {
  const row = await db.manager.findUnique({
    where: { id },
    select: { ...SELECT, tenant: { select: { id: true, domain: true, name: true, enabled: true } } },
  });
  return row ? asManager(row) : null;
}

type Tx = Prisma.TransactionClient;

async function otherEnabledAdmins(tx: Tx, tenantId: string, exceptId: string): Promise<number> {
  return tx.manager.count({ where: { tenantId, role: 'admin', enabled: true, id: { not: exceptId } } });
}

async function requireInTx(tx: Tx, tenantId: string, id: string) {
  const m = await tx.manager.findFirst({ where: { id, tenantId }, select: { id: true, role: true, enabled: true } });
  if (!m) throw new AccountError('unknown_manager', 'no such manager in this tenant');
  return m;
}

const LAST_ADMIN = 'the last enabled admin of a tenant cannot be removed, demoted or disabled';

export async function setManagerRole(db: Db, tenantId: string, id: string, role: Role): Promise<void> {
  if (!isRole(role)) throw new AccountError('invalid_role', 'role must be admin or viewer');
  await db.$transaction(async (tx) => {
    const m = await requireInTx(tx, tenantId, id);
    if (m.role === 'admin' && m.enabled && role !== 'admin' && (await otherEnabledAdmins(tx, tenantId, id)) === 0) {
      throw new AccountError('last_admin', LAST_ADMIN);
    }
    await tx.manager.update({ where: { id }, data: { role } });
  });
}

export async function setManagerEnabled(db: Db, tenantId: string, id: string, enabled: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    const m = await requireInTx(tx, tenantId, id);
    if (!enabled && m.role === 'admin' && m.enabled && (await otherEnabledAdmins(tx, tenantId, id)) === 0) {
      throw new AccountError('last_admin', LAST_ADMIN);
    }
    await tx.manager.update({ where: { id }, data: { enabled } });
  });
}

export async function removeManager(db: Db, tenantId: string, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const m = await requireInTx(tx, tenantId, id);
    if (m.role === 'admin' && m.enabled && (await otherEnabledAdmins(tx, tenantId, id)) === 0) {
      throw new AccountError('last_admin', LAST_ADMIN);
    }
    await tx.manager.delete({ where: { id } });
  });
}

export async function setManagerPasswordHash(
  db: Db,
  tenantId: string,
  id: string,
  passwordHash: string,
  mustChangePassword: boolean,
): Promise<void> {
  const r = await db.manager.updateMany({ where: { id, tenantId }, data: { passwordHash, mustChangePassword } });
  if (r.count === 0) throw new AccountError('unknown_manager', 'no such manager in this tenant');
}

export async function recordManagerLogin(db: Db, id: string): Promise<void> {
  await db.manager.update({ where: { id }, data: { lastLoginAt: new Date() } });
}
