// Generated-once secrets (cookie keys, the default Entra client secret): created on first use and
// persisted, so `npm start` needs no .env and restarts keep sessions and connections alive.
// Secret values go through getOrCreateSecretSetting (sealed); getOrCreateSetting is for the rest.
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';
import { isUniqueViolation } from './errors.ts';
import { isSealed, open, seal } from '../secrets/seal.ts';

export async function getSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.setting.findUnique({ where: { key } });
  return row ? row.value : null;
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

/** The stored value, or `generate()` stored now. Two processes starting together both try the
 * insert; the unique key decides and the loser reads the winner's value. */
export async function getOrCreateSetting(db: Db, key: string, generate: () => string): Promise<string> {
  const existing = await getSetting(db, key);
  if (existing !== null) return existing;
  try {
    await db.setting.create({ data: { key, value: generate() } });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return (await getSetting(db, key))!;
}

/** A generated-once secret (cookie keys, CSRF key, the default Entra client secret), stored sealed
 * under the data key (the key never touches the database). A plaintext value written by an older
 * version is sealed on first read: an upgrade encrypts existing installs on their first start. */
export async function getOrCreateSecretSetting(db: Db, dataKey: Buffer, key: string, generate: () => string): Promise<string> {
  const aad = `setting:${key}`;
  const stored = await getOrCreateSetting(db, key, () => seal(dataKey, generate(), aad));
  if (isSealed(stored)) return open(dataKey, stored, aad);
  await db.setting.updateMany({ where: { key, value: stored }, data: { value: seal(dataKey, stored, aad) } });
  return stored;
}
