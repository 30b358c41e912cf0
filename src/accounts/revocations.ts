// The operations that take access away, followed by the notice that drops this app's cached token
// resolutions at once (events.ts). The database work is in src/db; callers without token caches of
// their own (the CLI) may call those directly.
import type { Db } from '../db/client.ts';
import { setTenantEnabled as storeTenantEnabled } from '../db/tenants.ts';
import { deleteClient } from '../db/api-clients.ts';
import { revokeSecretToken as storeSecretTokenRevoked, type SecretTokenInfo } from '../db/secret-tokens.ts';
import type { Changes } from './events.ts';

export interface RevocationDeps {
  db: Db;
  changes: Changes;
}

/** Disabling revokes every OAuth token and connection of the tenant; enabling revives none. */
export async function setTenantEnabled(deps: RevocationDeps, tenantId: string, enabled: boolean): Promise<void> {
  await storeTenantEnabled(deps.db, tenantId, enabled);
  deps.changes.emit('tenantChanged', tenantId);
}

export async function deleteApiClient(deps: RevocationDeps, tenantId: string, clientId: string): Promise<void> {
  await deleteClient(deps.db, tenantId, clientId);
  deps.changes.emit('apiClientRemoved', clientId);
}

export async function revokeSecretToken(deps: RevocationDeps, tenantId: string, tokenId: string): Promise<SecretTokenInfo> {
  const info = await storeSecretTokenRevoked(deps.db, tenantId, tokenId);
  deps.changes.emit('secretTokenRevoked', tokenId);
  return info;
}
