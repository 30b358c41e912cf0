// In-process change notices from the repositories to the token resolver's cache, so that a tenant
// disabled or an API client deleted through ANY caller (console, CLI in-process, tests) takes effect
// on the very next request in this process without each caller remembering to invalidate.
// Other processes see the change within config.tokens.tokenCacheMs.
import { EventEmitter } from 'node:events';

export interface AccountChangeEvents {
  tenantChanged: [tenantId: string];
  apiClientRemoved: [clientId: string];
}

export const accountChanges = new EventEmitter<AccountChangeEvents>();
// One listener per running OAuth service; test files start several servers in one process.
accountChanges.setMaxListeners(0);
