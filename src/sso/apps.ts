// SecureLogin applications that sign end users in through our OpenID provider (the broker).
// Confidential apps get a 256-bit random secret, stored as SHA-256 (high entropy: a fast hash is
// sound) and shown once; public apps have none and must use PKCE.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Db } from '../db/client.ts';
import { createSsoApp, findSsoApp, type SsoAppStored } from '../db/sso-apps.ts';

export const APP_CLIENT_ID_PREFIX = 'sla_';

export type SsoAppRow = SsoAppStored;

export class AppError extends Error {}


export function validRedirectUri(uri: string): boolean {
  try {
    const u = new URL(uri);
    if (u.hash) return false;
    if (u.protocol === 'https:') return true;
    // OAuth 2.0 for native apps and local development: plain http only on loopback.
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
  } catch {
    return false;
  }
}

export async function createApp(
  db: Db,
  input: { tenantId: string; name: string; redirectUris: string[]; isPublic: boolean; initiateLoginUri?: string | null },
): Promise<{ clientId: string; clientSecret: string | null }> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new AppError('app name must be 1 to 200 characters');
  if (input.redirectUris.length === 0) throw new AppError('at least one --redirect-uri is required');
  for (const r of input.redirectUris) {
    if (!validRedirectUri(r)) throw new AppError(`invalid redirect URI "${r}": https, or http on 127.0.0.1/localhost, without a fragment`);
  }
  const initiateLoginUri = input.initiateLoginUri ?? null;
  if (initiateLoginUri !== null && !validRedirectUri(initiateLoginUri)) throw new AppError(`invalid initiate login URI "${initiateLoginUri}": https, or http on 127.0.0.1/localhost, without a fragment`);
  const clientId = `${APP_CLIENT_ID_PREFIX}${crypto.randomBytes(12).toString('base64url')}`;
  const clientSecret = input.isPublic ? null : crypto.randomBytes(32).toString('base64url');
  await createSsoApp(db, {
    id: clientId,
    tenantId: input.tenantId,
    name,
    redirectUris: input.redirectUris,
    isPublic: input.isPublic,
    secretHash: clientSecret ? storedHash(clientSecret) : null,
    initiateLoginUri,
  });
  return { clientId, clientSecret };
}

export async function findApp(db: Db, clientId: string): Promise<SsoAppRow | null> {
  if (!clientId.startsWith(APP_CLIENT_ID_PREFIX)) return null;
  return findSsoApp(db, clientId);
}

export function appSecretMatches(app: SsoAppRow, presented: string): boolean {
  if (!app.secretHash || typeof presented !== 'string') return false;
  const a = Buffer.from(storedHash(presented), 'hex');
  const b = Buffer.from(app.secretHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
