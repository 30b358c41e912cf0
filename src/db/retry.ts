// Running a transaction again when it lost to a concurrent writer: the SCIM repositories' writes
// (a lost version check, a serialization failure)
// succeed on a later attempt, so the caller never sees the race unless every attempt loses.
import { Prisma } from './generated/client.ts';
import { Conflict } from './errors.ts';

/** Thrown inside a transaction to roll it back and run it again: an update keyed by the version it
 * read changed no row, so a concurrent writer got there first and the retry starts from its row. */
export class RetryTransaction extends Error {}

/** Conflicts that a retried transaction resolves: a lost optimistic version check (P2025 on an
 * update keyed by version), a serialization failure (P2034), or RetryTransaction. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryTransaction) return true;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2025' || err.code === 'P2034') return true;
  // A raw statement's serialization failure (PostgreSQL 40001) arrives as P2010 with this kind.
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === 'P2010' && cause?.kind === 'TransactionWriteConflict';
}

/** `fn` (a whole transaction), run again after a short random pause while it loses to a concurrent
 * writer; when every attempt lost, the neutral Conflict (retrying later may succeed). */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (i + 1 >= attempts) throw new Conflict('a concurrent transaction kept changing the same rows', { cause: err });
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    }
  }
}
