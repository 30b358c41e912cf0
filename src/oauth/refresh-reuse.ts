// Refresh-token rotation without forks (RFC 9700 §4.14.2). The adapter keeps a rotated refresh
// token usable for REFRESH_TOKEN_GRACE so that a client whose token response was lost can retry;
// left alone, the provider would answer that retry with a second successor, i.e. a second live
// chain on the grant. This middleware runs after the token endpoint: the first rotation records its
// successor against the rotated token, and any later (or concurrent) rotation of the same token
// hands back that recorded successor and drops the one it just minted. So a retry is idempotent,
// the grant keeps one chain, and a reuse after the window still revokes the whole grant (the
// provider does that when the adapter shows the token as consumed).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/client.ts';
import { claimRefreshSuccessor, destroyRefreshToken } from '../db/oidc-adapter.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';

export function refreshReuse(db: Db, digest: TokenDigest) {
  return async function refreshReuseMiddleware(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const params = ctx.oidc?.params as Record<string, unknown> | undefined;
    const body = ctx.body as Record<string, unknown> | undefined;
    const presented = params?.refresh_token;
    const minted = body?.refresh_token;
    if (params?.grant_type !== 'refresh_token' || typeof presented !== 'string' || typeof minted !== 'string' || minted === presented) return;
    const standing = await claimRefreshSuccessor(db, digest, presented, minted);
    if (standing !== null && standing !== minted) {
      await destroyRefreshToken(db, digest, minted);
      body!.refresh_token = standing;
    }
  };
}
