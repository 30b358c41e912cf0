// A tenant always keeps at least one enabled admin: without one nobody could manage its managers or
// connect Entra again. The check runs inside the transaction that changes the row, so two
// concurrent demotions (or removals) cannot both pass it.
import type { Db } from '../db/client.ts';
import { changeManagerChecked, type ManagerChange, type ManagerInTx, type Role } from '../db/managers.ts';
import { AccountError } from './errors.ts';
import { validateRole } from './username.ts';

const LAST_ADMIN = 'the last enabled admin of a tenant cannot be removed, demoted or disabled';

/** Refuses a change that leaves the tenant without an enabled admin; `after` is the manager once
 * changed, null when removed. */
function keepsAnAdmin(after: { role: Role; enabled: boolean } | null) {
  return async (m: ManagerInTx): Promise<void> => {
    const stillAdmin = after !== null && after.role === 'admin' && after.enabled;
    if (m.role === 'admin' && m.enabled && !stillAdmin && (await m.otherEnabledAdmins()) === 0) {
      throw new AccountError('last_admin', LAST_ADMIN);
    }
  };
}

async function change(db: Db, tenantId: string, id: string, what: ManagerChange, after: (m: ManagerInTx) => { role: Role; enabled: boolean } | null) {
  const found = await changeManagerChecked(db, tenantId, id, what, (m) => keepsAnAdmin(after(m))(m));
  if (!found) throw new AccountError('unknown_manager', 'no such manager in this tenant');
}

export async function setManagerRole(db: Db, tenantId: string, id: string, role: Role): Promise<void> {
  validateRole(role);
  await change(db, tenantId, id, { update: { role } }, (m) => ({ role, enabled: m.enabled }));
}

export async function setManagerEnabled(db: Db, tenantId: string, id: string, enabled: boolean): Promise<void> {
  await change(db, tenantId, id, { update: { enabled } }, (m) => ({ role: m.role, enabled }));
}

export async function removeManager(db: Db, tenantId: string, id: string): Promise<void> {
  await change(db, tenantId, id, { remove: true }, () => null);
}
