// Secrets the provider needs at start: the Entra client secrets and the cookie signing keys.
import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { getOrCreateSecretSetting } from '../db/settings.ts';
import { loadDataKey } from '../secrets/data-key.ts';

export const ENTRA_SECRET_SETTING = 'entra.generatedClientSecret';
const COOKIE_KEYS_SETTING = 'oidc.cookieKeys';

/** ENTRA_CLIENT_SECRETS when set (all accepted, first current). Otherwise one strong secret is
 * generated on first start and persisted, so a fresh install works; `npm run cli -- entra show`
 * prints it for the operator (never the logs). */
export async function entraSecrets(config: Config, db: Db): Promise<{ secrets: string[]; generated: boolean }> {
  if (config.entra.clientSecrets.length > 0) return { secrets: [...config.entra.clientSecrets], generated: false };
  const s = await getOrCreateSecretSetting(db, loadDataKey(config).key, ENTRA_SECRET_SETTING, () => crypto.randomBytes(32).toString('base64url'));
  return { secrets: [s], generated: true };
}

export async function cookieKeys(db: Db, dataKey: Buffer): Promise<string[]> {
  const raw = await getOrCreateSecretSetting(db, dataKey, COOKIE_KEYS_SETTING, () => JSON.stringify([crypto.randomBytes(32).toString('base64url')]));
  return JSON.parse(raw) as string[];
}

/** Compares every candidate without stopping at the first match, in constant time per candidate. */
export function matchesAny(actual: unknown, candidates: readonly string[]): boolean {
  if (typeof actual !== 'string') return false;
  const a = crypto.createHash('sha256').update(actual).digest();
  let ok = false;
  for (const c of candidates) {
    const b = crypto.createHash('sha256').update(c).digest();
    if (crypto.timingSafeEqual(a, b)) ok = true;
  }
  return ok;
}

export function matchesAnyHash(actual: unknown, hexHashes: readonly string[]): boolean {
  if (typeof actual !== 'string') return false;
  const a = crypto.createHash('sha256').update(actual, 'utf8').digest();
  let ok = false;
  for (const h of hexHashes) {
    const b = Buffer.from(h, 'hex');
    if (b.length === a.length && crypto.timingSafeEqual(a, b)) ok = true;
  }
  return ok;
}
