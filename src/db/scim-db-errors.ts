// Prisma errors → SCIM domain errors, in one place (architecture.md: only src/db/ knows Prisma).
import { Prisma } from './generated/client.ts';
import { InvalidValueError, ScimError, UniquenessError } from '../scim/errors.ts';

/** P2002 (unique index) is the race-safe uniqueness check: two simultaneous creates of one
 * userName both pass any pre-check, and only the index decides (issue 3 item 7). */
export function mapPrismaError(err: unknown, uniqueDetail: string): never {
  if (err instanceof ScimError) throw err;
  if (isUniqueViolation(err)) throw new UniquenessError(uniqueDetail);
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    // P2000 value too long, P2006/P2007 invalid value for the column type: bad input, not a fault.
    if (err.code === 'P2000' || err.code === 'P2006' || err.code === 'P2007' || err.code === 'P2009' || err.code === 'P2012' || err.code === 'P2019' || err.code === 'P2020') {
      throw new InvalidValueError('A value in the request cannot be stored');
    }
  }
  // A query built from client input (filter, sortBy) that Prisma rejects is bad input, never a 5xx.
  if (err instanceof Prisma.PrismaClientValidationError) throw new InvalidValueError('The request cannot be expressed as a query');
  throw err;
}

/** Conflicts that a retried transaction resolves: a lost optimistic version check (P2025 on an
 * update keyed by version) or a duplicate member row inserted by a concurrent transaction. */
export function isRetryable(err: unknown): boolean {
  return err instanceof RetryTransaction || (err instanceof Prisma.PrismaClientKnownRequestError && (err.code === 'P2025' || err.code === 'P2034'));
}

/** Thrown inside a transaction to roll it back and run it again (e.g. a member row that a
 * concurrent transaction inserted first: the retry sees it and skips it, so add stays idempotent). */
export class RetryTransaction extends Error {}

/** P2002 from a model query; from a raw query (P2010) the driver adapter's error kind, which the
 * SQLite and PostgreSQL adapters both report as UniqueConstraintViolation. */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === 'P2010' && cause?.kind === 'UniqueConstraintViolation';
}

export async function withRetry<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= attempts || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    }
  }
}
