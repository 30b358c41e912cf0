// The console's view of account and API-client operations owned by src/accounts and
// src/db/api-clients.ts (OAuth work). Pages depend on these small interfaces; this file binds
// them to the real modules and turns their domain errors into AccountRefusal (shown on the page).
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AccountError, PASSWORD_RULE, changePassword, createManagerWithPassword, listManagers, removeManager, setManagerEnabled, setManagerRole } from '../accounts/index.ts';
import { addSecret, createClient, getClient, listClients, revokeSecret } from '../db/api-clients.ts';
import { deleteApiClient } from '../accounts/revocations.ts';
import type { Changes } from '../accounts/events.ts';

export class AccountRefusal extends Error {
  kind: 'not_found' | 'invalid';
  constructor(kind: 'not_found' | 'invalid', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface ManagerRow {
  id: string;
  username: string;
  role: 'admin' | 'viewer';
  enabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface ManagerOps {
  policyHint: string;
  list(tenantId: string): Promise<ManagerRow[]>;
  create(tenantId: string, input: { username: string; password: string; role: 'admin' | 'viewer'; createdBy: string }): Promise<void>;
  setRole(tenantId: string, id: string, role: 'admin' | 'viewer'): Promise<void>;
  setEnabled(tenantId: string, id: string, enabled: boolean): Promise<void>;
  remove(tenantId: string, id: string): Promise<void>;
  changeOwnPassword(tenantId: string, id: string, current: string, next: string): Promise<void>;
}

export interface ApiClientView {
  id: string;
  name: string;
  createdAt: Date;
  secrets: { id: string; hint: string; createdAt: Date; revokedAt: Date | null }[];
}

export interface ApiClientOps {
  list(tenantId: string): Promise<ApiClientView[]>;
  create(tenantId: string, name: string, createdBy: string): Promise<{ clientId: string; secret: string }>;
  addSecret(tenantId: string, clientId: string): Promise<{ secret: string; clientName: string }>;
  revokeSecret(tenantId: string, clientId: string, secretId: string): Promise<void>;
  remove(tenantId: string, clientId: string): Promise<void>;
}

export type PortDeps = { config: Config; db: Db };

// ---------------------------------------------------------------- bindings


function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Domain errors become page messages; unknown ids in this tenant become 404 (tenant isolation). */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AccountError) {
      const notFound = err.code === 'unknown_manager' || err.code === 'unknown_client' || err.code === 'unknown_tenant';
      throw new AccountRefusal(notFound ? 'not_found' : 'invalid', sentence(err.message));
    }
    throw err;
  }
}

export function managerOps({ config, db }: PortDeps): ManagerOps {
  const deps = { db, config };
  return {
    policyHint: sentence(`Use ${PASSWORD_RULE}`),
    list: (tenantId) => mapped(() => listManagers(db, tenantId)),
    create: (tenantId, i) =>
      mapped(async () => {
        await createManagerWithPassword(deps, { tenantId, username: i.username, password: i.password, role: i.role, mustChangePassword: true });
      }),
    setRole: (tenantId, id, role) => mapped(() => setManagerRole(db, tenantId, id, role)),
    setEnabled: (tenantId, id, enabled) => mapped(() => setManagerEnabled(db, tenantId, id, enabled)),
    remove: (tenantId, id) => mapped(() => removeManager(db, tenantId, id)),
    changeOwnPassword: (tenantId, id, current, next) => mapped(() => changePassword(deps, tenantId, id, current, next)),
  };
}

export function apiClientOps({ db, changes }: PortDeps & { changes: Changes }): ApiClientOps {
  return {
    list: (tenantId) => mapped(() => listClients(db, tenantId)),
    create: (tenantId, name, createdBy) =>
      mapped(async () => {
        const r = await createClient(db, tenantId, name, createdBy);
        return { clientId: r.client.id, secret: r.secret };
      }),
    addSecret: (tenantId, clientId) =>
      mapped(async () => {
        const r = await addSecret(db, tenantId, clientId);
        const c = await getClient(db, tenantId, clientId);
        return { secret: r.secret, clientName: c?.name ?? clientId };
      }),
    revokeSecret: (tenantId, clientId, secretId) => mapped(() => revokeSecret(db, tenantId, clientId, secretId)),
    remove: (tenantId, clientId) => mapped(() => deleteApiClient({ db, changes }, tenantId, clientId)),
  };
}
