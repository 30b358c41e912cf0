// Expired request and replay-cache rows are useless (every check also compares expiresAt); this
// only keeps the tables small.
import type { Db } from '../db/client.ts';
import { deleteExpiredSsoRequests } from '../db/sso-requests.ts';
import { deleteExpiredAssertionUses } from '../db/sso-assertion-uses.ts';
import { sweepPendingLogins } from './launch.ts';

export async function sweepSsoState(db: Db): Promise<void> {
  const now = new Date();
  await deleteExpiredSsoRequests(db, now);
  await deleteExpiredAssertionUses(db, now);
  await sweepPendingLogins(db);
}
