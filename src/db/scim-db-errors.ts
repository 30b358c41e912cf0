// Retrying a transaction that lost to a concurrent writer, for the SCIM repositories. mapPrismaError
// is the former Prisma → SCIM mapping, kept only until the users repository throws the neutral
// errors of errors.ts like the groups repository does (the services word them: scim/db-errors.ts).
import { Prisma } from './generated/client.ts';
import { InvalidValueError, ScimError, UniquenessError } from '../scim/errors.ts';
import { Conflict, isUniqueViolation } from './errors.ts';

/** P2002 (unique index) is the race-safe uniqueness check: two simultaneous creates of one
 * userName both pass any pre-check, and only the index decides. */
export function mapPrismaError(err: unknown, uniqueDetail: string): never {
  if (err instanceof ScimError) throw err;
  if (isUniqueViolation(err)) throw new UniquenessError(uniqueDetail);
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    // P2000 value too long, P2006/P2007 invalid value for the column type: bad input, not a fault.
    if (err.code === 'P2000' || err.code === 'P2006' || err.code === 'P2007' || err.code === 'P2009' || err.code === 'P2012' || err.code === 'P2019' || err.code === 'P2020') {
      throw new InvalidValueError('A value in the request cannot be stored');
    }
  }
  throw err;
}

/** Conflicts that a retried transaction resolves: a lost optimistic version check (P2025 on an
 * update keyed by version) or a duplicate member row inserted by a concurrent transaction. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryTransaction) return true;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2025' || err.code === 'P2034') return true;
  // A raw statement's serialization failure (PostgreSQL 40001) arrives as P2010 with this kind.
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === 'P2010' && cause?.kind === 'TransactionWriteConflict';
}

/** Thrown inside a transaction to roll it back and run it again (e.g. a member row that a
 * concurrent transaction inserted first: the retry sees it and skips it, so add stays idempotent). */
export class RetryTransaction extends Error {}

export { isUniqueViolation };

export async function withRetry<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      // Every attempt lost to a concurrent writer: the neutral error says so, retrying later may succeed.
      if (i + 1 >= attempts) throw new Conflict('a concurrent transaction kept changing the same rows', { cause: err });
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    }
  }
}
