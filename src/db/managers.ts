// Managers of a tenant: queries only, every one scoped by tenantId. The rules (username shape,
// role, the last admin, passwords) are in src/accounts/; changeManagerChecked runs a rule's check
// inside the transaction that changes the row, so two concurrent demotions cannot both pass a
// check made outside it.
import crypto from 'node:crypto';
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';
import { UniqueViolation, isUniqueViolation } from './errors.ts';

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

/** Usernames are unique per tenant whatever their letter case: the unique index is on this key. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export function isRole(v: unknown): v is Role {
  return v === 'admin' || v === 'viewer';
}

function asManager<T extends { role: string }>(row: T): T & { role: Role } {
  return { ...row, role: row.role === 'admin' ? 'admin' : 'viewer' };
}

export async function createManager(
  db: Db,
  input: { tenantId: string; username: string; passwordHash: string; role: Role; mustChangePassword?: boolean },
): Promise<Manager> {
  const username = input.username;
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
    if (isUniqueViolation(err)) throw new UniqueViolation(['tenantId', 'usernameKey'], { cause: err });
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

/** What a rule sees of the manager being changed, read inside the changing transaction. */
export interface ManagerInTx {
  role: Role;
  enabled: boolean;
  /** Enabled admins of the tenant other than this manager. */
  otherEnabledAdmins(): Promise<number>;
}

export type ManagerChange = { update: { role?: Role; enabled?: boolean } } | { remove: true };

/** Applies `change` to the manager after `check` accepted its current row, in one transaction (a
 * check that throws rolls it back). False when the tenant has no such manager. */
export async function changeManagerChecked(
  db: Db,
  tenantId: string,
  id: string,
  change: ManagerChange,
  check: (m: ManagerInTx) => Promise<void>,
): Promise<boolean> {
  return db.$transaction(async (tx: Tx) => {
    const m = await tx.manager.findFirst({ where: { id, tenantId }, select: { id: true, role: true, enabled: true } });
    if (!m) return false;
    await check({
      role: m.role === 'admin' ? 'admin' : 'viewer',
      enabled: m.enabled,
      otherEnabledAdmins: () => tx.manager.count({ where: { tenantId, role: 'admin', enabled: true, id: { not: id } } }),
    });
    if ('remove' in change) await tx.manager.delete({ where: { id } });
    else await tx.manager.update({ where: { id }, data: change.update });
    return true;
  });
}

export async function setManagerPasswordHash(
  db: Db,
  tenantId: string,
  id: string,
  passwordHash: string,
  mustChangePassword: boolean,
): Promise<boolean> {
  const r = await db.manager.updateMany({ where: { id, tenantId }, data: { passwordHash, mustChangePassword } });
  return r.count > 0;
}

export async function recordManagerLogin(db: Db, id: string): Promise<void> {
  await db.manager.update({ where: { id }, data: { lastLoginAt: new Date() } });
}
