// Generated-once secrets (cookie keys, the default Entra client secret): created on first use and
// persisted, so `npm start` needs no .env and restarts keep sessions and connections alive.
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';

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
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
  }
  return (await getSetting(db, key))!;
}
