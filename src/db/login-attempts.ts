// Throttle counters in the database (ThrottleBucket): they survive restarts and are shared by every
// instance on the same database. A claim is one conditional UPDATE (or the INSERT that opens a
// bucket), so concurrent claims on one bucket, from any number of processes, can never pass the
// limit together: each statement is atomic on SQLite and PostgreSQL alike.
import { Prisma } from './generated/client.ts';
import type { Db } from './client.ts';
import { isUniqueViolation } from './errors.ts';

/** Seconds to wait when the bucket is full, 0 when the attempt was counted and may proceed. */
export async function claimAttempt(db: Db, bucket: string, limit: number, windowSeconds: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - windowSeconds * 1000);
  for (let tries = 0; tries < 4; tries++) {
    const counted = await db.throttleBucket.updateMany({
      where: { bucket, windowStart: { gt: cutoff }, count: { lt: limit } },
      data: { count: { increment: 1 } },
    });
    if (counted.count === 1) return 0;
    // The window of an existing bucket is over: the first claimer restarts it.
    const restarted = await db.throttleBucket.updateMany({ where: { bucket, windowStart: { lte: cutoff } }, data: { count: 1, windowStart: now } });
    if (restarted.count === 1) return 0;
    const row = await db.throttleBucket.findUnique({ where: { bucket } });
    if (row) {
      if (row.windowStart > cutoff && row.count >= limit) {
        return Math.max(1, Math.ceil((row.windowStart.getTime() + windowSeconds * 1000 - now.getTime()) / 1000));
      }
      continue; // changed between the statements: claim again
    }
    try {
      await db.throttleBucket.create({ data: { bucket, count: 1, windowStart: now } });
      return 0;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  // Only under extreme contention on one bucket; refusing is the safe side.
  return 1;
}

/** Gives back one claimed attempt (it turned out well, e.g. the right secret from a shared IP). */
export async function releaseAttempt(db: Db, bucket: string): Promise<void> {
  await db.throttleBucket.updateMany({ where: { bucket, count: { gt: 0 } }, data: { count: { decrement: 1 } } });
}

/** Forgets a bucket (a successful sign-in clears that user's failures). */
export async function resetAttempts(db: Db, bucket: string): Promise<void> {
  await db.throttleBucket.deleteMany({ where: { bucket } });
}

export async function sweepAttempts(db: Db, windowSeconds: number, now = new Date()): Promise<number> {
  const r = await db.throttleBucket.deleteMany({ where: { windowStart: { lt: new Date(now.getTime() - windowSeconds * 1000) } } });
  return r.count;
}
