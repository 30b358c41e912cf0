// Change notices from the operations that revoke access to the token caches of the same running
// app, so that a tenant disabled, an API client deleted or a secret token revoked takes effect on
// the very next request in this process, whatever page or test made the change. One emitter per
// app (built with the app, passed to whoever emits or listens); other processes, such as the CLI,
// see the change once their cached entries expire (TOKEN_CACHE_MS).
import { EventEmitter } from 'node:events';

export interface ChangeEvents {
  tenantChanged: [tenantId: string];
  apiClientRemoved: [clientId: string];
  secretTokenRevoked: [tokenId: string];
}

export type Changes = EventEmitter<ChangeEvents>;

/** Each app's listeners are a fixed few (the OAuth token cache and the secret-token cache), so
 * Node's default limit of ten listeners per event stays in force and would flag a leak. */
export function createChanges(): Changes {
  return new EventEmitter<ChangeEvents>();
}
