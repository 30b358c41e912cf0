// Expired request and replay-cache rows are useless (every check also compares expiresAt); this
// only keeps the tables small.
import type { Db } from '../db/client.ts';
import { sweepPendingLogins } from './launch.ts';

export async function sweepSsoState(db: Db): Promise<void> {
  const now = new Date();
  await db.ssoRequest.deleteMany({ where: { expiresAt: { lte: now } } });
  await db.ssoAssertionUse.deleteMany({ where: { expiresAt: { lte: now } } });
  await sweepPendingLogins(db);
}
