// Manager accounts as a service: password rules and hashing around the managers repository.
// Shared by the CLI, the sign-in pages and the console, so a manager added in the console obeys
// exactly the rules of one added with the CLI.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import {
  createManager as createManagerRow,
  findManagerById,
  findManagerByUsername,
  listManagers,
  recordManagerLogin,
  setManagerPasswordHash,
  type Manager,
  type Role,
} from '../db/managers.ts';
import { UniqueViolation } from '../db/errors.ts';
import { findTenantById } from '../db/tenants.ts';
import { AccountError } from './errors.ts';
import { removeManager, setManagerEnabled, setManagerRole } from './last-admin.ts';
import { validateRole, validateUsername } from './username.ts';
import { passwordProblem } from './password-policy.ts';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.ts';

export interface AccountDeps {
  db: Db;
  config: Pick<Config, 'argon2'>;
}

export type VerifyResult = { ok: true; manager: Manager } | { ok: false; reason: 'invalid' | 'disabled' };

/** The rule needs the tenant's domain: a password naming the organisation is easy to guess. */
async function checkPassword(db: Db, tenantId: string, password: string, username: string): Promise<void> {
  const tenant = await findTenantById(db, tenantId);
  const problem = passwordProblem(password, { username, domain: tenant?.domain });
  if (problem) throw new AccountError('weak_password', problem);
}

/** Username + password for one tenant. Unknown user and wrong password are indistinguishable,
 * in result and in time. A disabled manager is reported separately only after the password
 * matched, so the message cannot be used to probe usernames. */
export async function verifyManagerPassword(deps: AccountDeps, tenantId: string, username: string, password: string): Promise<VerifyResult> {
  const m = await findManagerByUsername(deps.db, tenantId, username);
  if (!m) {
    await verifyDummy(password, deps.config.argon2);
    return { ok: false, reason: 'invalid' };
  }
  if (!(await verifyPassword(m.passwordHash, password))) return { ok: false, reason: 'invalid' };
  if (!m.enabled) return { ok: false, reason: 'disabled' };
  await recordManagerLogin(deps.db, m.id);
  const { passwordHash: _h, ...manager } = m;
  return { ok: true, manager };
}

export async function createManagerWithPassword(
  deps: AccountDeps,
  input: { tenantId: string; username: string; password: string; role: Role; mustChangePassword?: boolean },
): Promise<Manager> {
  const username = validateUsername(input.username);
  validateRole(input.role);
  await checkPassword(deps.db, input.tenantId, input.password, username);
  const passwordHash = await hashPassword(input.password, deps.config.argon2);
  try {
    return await createManagerRow(deps.db, { ...input, username, passwordHash });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new AccountError('duplicate_username', `a manager named "${username}" already exists in this tenant`);
    throw err;
  }
}

async function storePasswordHash(deps: AccountDeps, tenantId: string, managerId: string, hash: string, mustChangePassword: boolean): Promise<void> {
  if (!(await setManagerPasswordHash(deps.db, tenantId, managerId, hash, mustChangePassword))) {
    throw new AccountError('unknown_manager', 'no such manager in this tenant');
  }
}

/** Operator/admin reset: `mustChangePassword` makes the manager pick their own at next sign-in. */
export async function setPassword(
  deps: AccountDeps,
  tenantId: string,
  managerId: string,
  password: string,
  opts: { mustChangePassword?: boolean } = {},
): Promise<void> {
  const m = await findManagerById(deps.db, tenantId, managerId);
  if (!m) throw new AccountError('unknown_manager', 'no such manager in this tenant');
  await checkPassword(deps.db, tenantId, password, m.username);
  const hash = await hashPassword(password, deps.config.argon2);
  await storePasswordHash(deps, tenantId, managerId, hash, opts.mustChangePassword ?? false);
}

/** Self-service change: the old password must match; clears mustChangePassword. */
export async function changePassword(deps: AccountDeps, tenantId: string, managerId: string, oldPassword: string, newPassword: string): Promise<void> {
  const m = await findManagerById(deps.db, tenantId, managerId);
  if (!m) throw new AccountError('unknown_manager', 'no such manager in this tenant');
  if (!(await verifyPassword(m.passwordHash, oldPassword))) throw new AccountError('wrong_password', 'the current password is not correct');
  if (oldPassword === newPassword) throw new AccountError('weak_password', 'the new password must differ from the current one');
  await checkPassword(deps.db, tenantId, newPassword, m.username);
  const hash = await hashPassword(newPassword, deps.config.argon2);
  await storePasswordHash(deps, tenantId, managerId, hash, false);
}

export { listManagers, removeManager, setManagerEnabled, setManagerRole, findManagerById, findManagerByUsername };
export type { Manager, Role };
