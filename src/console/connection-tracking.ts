// One connection per Entra app: when Entra exchanges an authorization code, every earlier
// authorization of the same client in the same tenant is revoked (grant and tokens), so
// authorizing again replaces the connection instead of adding one. Connection rows whose code was
// never exchanged (the admin closed the window, the exchange failed) or whose tokens are all gone
// are revoked by the sweep once the code lifetime has passed, so no pending grant outlives it.
import type { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OAuthService } from '../oauth/index.ts';
import { earlierConnections, staleConnections } from '../db/connections.ts';

const pending = new Set<Promise<void>>();

/** Resolves when every replacement started so far has finished (tests; orderly shutdown). */
export async function connectionWorkIdle(): Promise<void> {
  while (pending.size) await Promise.allSettled([...pending]);
}

function track(p: Promise<void>): void {
  pending.add(p);
  void p.finally(() => pending.delete(p));
}

interface GrantSuccessContext {
  oidc: { params: { grant_type?: string }; client?: { clientId: string }; entities: { AuthorizationCode?: { grantId?: string } } };
}

export function trackConnections(deps: { config: Config; db: Db; oauth: OAuthService; log: FastifyBaseLogger }): () => void {
  const { config, db, oauth, log } = deps;
  const onSuccess = (ctx: GrantSuccessContext) => {
    if (ctx.oidc.params.grant_type !== 'authorization_code' || ctx.oidc.client?.clientId !== config.entra.clientId) return;
    const grantId = ctx.oidc.entities.AuthorizationCode?.grantId;
    if (!grantId) return;
    track(
      (async () => {
        for (const old of await earlierConnections(db, grantId)) {
          await oauth.revokeGrant(old);
          log.info({ grantId: old, replacedBy: grantId }, 'connection replaced by a new authorization');
        }
      })().catch((err: unknown) => log.error({ err, grantId }, 'could not replace earlier connections')),
    );
  };
  oauth.provider.on('grant.success', onSuccess);
  // The provider is a Koa application, hence an EventEmitter (the local typings list only `on`).
  return () => (oauth.provider as unknown as EventEmitter).removeListener('grant.success', onSuccess);
}

/** Revokes pending and dead connections older than the authorization-code lifetime. */
export async function sweepStaleConnections(deps: { config: Config; db: Db; oauth: OAuthService }, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - deps.config.tokens.codeTtl * 1000 - 60_000);
  const stale = await staleConnections(deps.db, before, now);
  for (const g of stale) await deps.oauth.revokeGrant(g);
  return stale.length;
}
