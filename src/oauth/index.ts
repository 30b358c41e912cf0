// PLACEHOLDER (owned by the OAuth work): replaced by the real provider.
import type { FastifyPluginAsync, FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';

export type TokenResolution =
  | { ok: true; tenantId: string; grantId: string | null; clientId: string; scope: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' | 'tenant_disabled' | 'insufficient_scope' };

export interface OAuthService {
  resolveToken(token: string): Promise<TokenResolution>;
  revokeGrant(grantId: string): Promise<void>;
  invalidateTenant(tenantId: string): void;
  close(): Promise<void>;
}

export async function createOAuth(_deps: { config: Config; db: Db; log: FastifyBaseLogger }): Promise<OAuthService> {
  return {
    async resolveToken() { return { ok: false, reason: 'unknown' }; },
    async revokeGrant() {},
    invalidateTenant() {},
    async close() {},
  };
}

export const oauthRoutes: FastifyPluginAsync<{ config: Config; db: Db; oauth: OAuthService }> = async () => {};
