// The managers a single sign-on may sign in: those of the tenant whose username key equals one of
// the identifiers of the provisioned user who signed in.
import type { Db } from './client.ts';

export interface SsoManagerRow {
  id: string;
  username: string;
  role: 'admin' | 'viewer';
  enabled: boolean;
  mustChangePassword: boolean;
}

const SELECT = { id: true, username: true, role: true, enabled: true, mustChangePassword: true } as const;

// Manager usernames are unique per tenant case-insensitively through this stored key.
const key = (username: string) => username.trim().toLowerCase();

/** The managers named (case-insensitively) by any of `names`, ordered by username key. */
export async function findManagersByNames(db: Db, tenantId: string, names: string[]): Promise<SsoManagerRow[]> {
  const keys = [...new Set(names.map(key).filter((k) => k.length > 0 && k.length <= 200))];
  if (keys.length === 0) return [];
  const rows = await db.manager.findMany({ where: { tenantId, usernameKey: { in: keys } }, select: SELECT, orderBy: { usernameKey: 'asc' } });
  return rows.map((r) => ({ ...r, role: r.role === 'admin' ? 'admin' : 'viewer' }));
}

export async function findManagerRole(db: Db, tenantId: string, username: string): Promise<string | null> {
  const m = await db.manager.findFirst({ where: { tenantId, usernameKey: key(username) }, select: { role: true } });
  return m?.role ?? null;
}
