// JWKS for oidc-provider: generated on first start, persisted, rotated by the CLI.
// The newest active key signs; retired keys stay published so ID tokens signed before a rotation
// still verify until they expire. The private JWKs are stored sealed under the data key
// (src/secrets): a copy of the database cannot sign tokens.
import crypto from 'node:crypto';
import type { Db } from './client.ts';
import { isSealed, open, seal } from '../secrets/seal.ts';

export interface StoredKey {
  kid: string;
  jwk: Record<string, unknown>;
  createdAt: Date;
  retiredAt: Date | null;
}

/** Retired keys kept in the JWKS (ID tokens live minutes; two generations is plenty). */
const KEEP_RETIRED = 2;

const aad = (kid: string) => `signing-key:${kid}`;

function sealJwk(dataKey: Buffer, kid: string, jwk: Record<string, unknown>): string {
  return seal(dataKey, JSON.stringify(jwk), aad(kid));
}

function newJwk(): { kid: string; jwk: Record<string, unknown> } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = crypto.randomBytes(12).toString('base64url');
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, use: 'sig', alg: 'RS256' };
  return { kid, jwk };
}

/** Rows stored in clear by an older version are sealed here, on the first start after an upgrade. */
export async function listSigningKeys(db: Db, dataKey: Buffer): Promise<StoredKey[]> {
  const rows = await db.signingKey.findMany({ orderBy: { createdAt: 'desc' } });
  const keys: StoredKey[] = [];
  for (const r of rows) {
    const sealed = isSealed(r.jwk);
    const jwk = JSON.parse(sealed ? open(dataKey, r.jwk, aad(r.kid)) : r.jwk) as Record<string, unknown>;
    if (!sealed) await db.signingKey.updateMany({ where: { kid: r.kid, jwk: r.jwk }, data: { jwk: sealJwk(dataKey, r.kid, jwk) } });
    keys.push({ kid: r.kid, jwk, createdAt: r.createdAt, retiredAt: r.retiredAt });
  }
  return keys;
}

const BOOTSTRAP_SETTING = 'signing-key-bootstrap';
const BOOTSTRAP_WAIT_MS = 10_000;

/**
 * Several instances may start together on an empty database. Each used to create its own active
 * key, so they published different key sets and an ID token signed by one failed against the
 * other's JWKS. The first to insert the bootstrap row (unique key) creates the key; the others wait
 * for it. A claimer that died before creating it only delays the others by the bound.
 */
async function createFirstKey(db: Db, dataKey: Buffer): Promise<void> {
  const { kid, jwk } = newJwk();
  const claimed = await db.setting.create({ data: { key: BOOTSTRAP_SETTING, value: kid } }).then(
    () => true,
    () => false,
  );
  if (!claimed) {
    const deadline = Date.now() + BOOTSTRAP_WAIT_MS;
    while (Date.now() < deadline) {
      if (await db.signingKey.count({ where: { retiredAt: null } })) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await db.signingKey.create({ data: { kid, jwk: sealJwk(dataKey, kid, jwk) } });
}

/** Active key first (the provider signs with the first matching key), then recently retired ones. */
export async function ensureSigningKeys(db: Db, dataKey: Buffer): Promise<Record<string, unknown>[]> {
  let keys = await listSigningKeys(db, dataKey);
  if (!keys.some((k) => k.retiredAt === null)) {
    await createFirstKey(db, dataKey);
    keys = await listSigningKeys(db, dataKey);
  }
  const active = keys.filter((k) => k.retiredAt === null);
  const retired = keys.filter((k) => k.retiredAt !== null).slice(0, KEEP_RETIRED);
  return [...active, ...retired].map((k) => k.jwk);
}

/** New signing key; the previous active ones are retired (still published) and old retired ones
 * beyond KEEP_RETIRED are deleted. Running servers pick the new key up at their next start. */
export async function rotateSigningKey(db: Db, dataKey: Buffer): Promise<{ kid: string; retired: string[] }> {
  const { kid, jwk } = newJwk();
  const now = new Date();
  return db.$transaction(async (tx) => {
    const active = await tx.signingKey.findMany({ where: { retiredAt: null } });
    await tx.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now } });
    await tx.signingKey.create({ data: { kid, jwk: sealJwk(dataKey, kid, jwk), createdAt: new Date(now.getTime() + 1) } });
    const retired = await tx.signingKey.findMany({ where: { retiredAt: { not: null } }, orderBy: { retiredAt: 'desc' } });
    const drop = retired.slice(KEEP_RETIRED).map((r) => r.kid);
    if (drop.length) await tx.signingKey.deleteMany({ where: { kid: { in: drop } } });
    return { kid, retired: active.map((a) => a.kid) };
  });
}
