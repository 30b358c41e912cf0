// Verified single sign-ons waiting, a few minutes at most, for the one interaction that will use
// them (an app launched from My Apps). The id is the SHA-256 of a value only the browser holds.
import type { Db } from './client.ts';

export interface PendingLoginRow {
  userId: string;
  protocol: string;
  amr: string[];
  createdAt: Date;
}

export async function createPendingLoginRow(
  db: Db,
  input: { id: string; tenantId: string; clientId: string; userId: string; protocol: string; amr: string[]; expiresAt: Date },
): Promise<void> {
  await db.ssoPendingLogin.create({ data: { ...input, amr: JSON.stringify(input.amr) } });
}

/** Marks the pending login used, once, for this client and tenant only; null otherwise. */
export async function consumePendingLoginRow(db: Db, tenantId: string, id: string, clientId: string, now = new Date()): Promise<PendingLoginRow | null> {
  const r = await db.ssoPendingLogin.updateMany({ where: { id, clientId, tenantId, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (r.count !== 1) return null;
  const p = await db.ssoPendingLogin.findFirst({ where: { id, tenantId }, select: { userId: true, protocol: true, amr: true, createdAt: true } });
  return p ? { ...p, amr: JSON.parse(p.amr) as string[] } : null;
}

/** Across tenants: pending logins past their few minutes. */
export async function deleteExpiredPendingLogins(db: Db, now: Date): Promise<void> {
  await db.ssoPendingLogin.deleteMany({ where: { expiresAt: { lte: now } } });
}
