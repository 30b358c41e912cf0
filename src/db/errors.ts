// The errors src/db/ lets out, whatever the database: callers (SCIM services, console pages, the
// CLI) map these to their own answers and never look at Prisma's codes or a driver's. Anything
// else a repository throws is unexpected: a storage fault (storage-errors.ts, answered 503) or
// our bug, answered 500 and logged.
import { Prisma } from './generated/client.ts';

export class DbError extends Error {
  override name = 'DbError';
}

/** A unique index refused the row: `fields` are the columns of that index when the database said
 * which (Prisma's `meta.target`), empty otherwise. */
export class UniqueViolation extends DbError {
  override name = 'UniqueViolation';
  readonly fields: readonly string[];
  constructor(fields: readonly string[], options?: { cause?: unknown }) {
    super(`unique constraint violated${fields.length ? ` on (${fields.join(', ')})` : ''}`, options);
    this.fields = fields;
  }
}

/** The row to change or delete is not there (any more). */
export class NotFound extends DbError {
  override name = 'NotFound';
}

/** A concurrent writer won: a lost version check, a serialization failure (PostgreSQL 40001,
 * Prisma P2034) or an update that matched no row it expected to. Retrying may succeed. */
export class Conflict extends DbError {
  override name = 'Conflict';
}

/** A value the column cannot hold: longer than the column (P2000), of the wrong type for it
 * (P2006, P2007, P2009), a required column left empty (P2012), malformed input (P2019) or out of
 * the column type's range (P2020). The value came from the request: its fault, not a storage fault. */
export class UnstorableValue extends DbError {
  override name = 'UnstorableValue';
}

/** A row names another row of its tenant (a group member, a user's manager) that is not there:
 * another tenant's row and an id that exists nowhere are the same answer, so nothing leaks. */
export class ReferenceNotFound extends DbError {
  override name = 'ReferenceNotFound';
  readonly attribute: string;
  readonly value: string;
  constructor(attribute: string, value: string) {
    super(`${attribute} value "${value}" is not in this tenant`);
    this.attribute = attribute;
    this.value = value;
  }
}

/** A row would reference itself where that makes a cycle (a group as its own member). */
export class SelfReference extends DbError {
  override name = 'SelfReference';
  readonly attribute: string;
  constructor(attribute: string) {
    super(`${attribute} cannot reference the row itself`);
    this.attribute = attribute;
  }
}

const UNSTORABLE_CODES = new Set(['P2000', 'P2006', 'P2007', 'P2009', 'P2012', 'P2019', 'P2020']);

function targetFields(meta: unknown): string[] {
  const m = meta as { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } | undefined;
  if (Array.isArray(m?.target)) return m.target.map(String);
  if (typeof m?.target === 'string') return [m.target];
  const fields = m?.driverAdapterError?.cause?.constraint?.fields;
  return Array.isArray(fields) ? fields.map((f) => String(f).replace(/^"|"$/g, '')) : [];
}

/** P2002 from a model query; from a raw query (P2010) the driver adapter's error kind, which the
 * SQLite and PostgreSQL adapters both report as UniqueConstraintViolation. */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof UniqueViolation) return true;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === 'P2010' && cause?.kind === 'UniqueConstraintViolation';
}

/** `err` as one of the neutral errors above, or null when it is none of them. A query Prisma
 * rejects (PrismaClientValidationError) is none: every query is built from validated input, so
 * it is our bug, logged and answered 500. */
export function toDbError(err: unknown): DbError | null {
  if (err instanceof DbError) return err;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return null;
  if (isUniqueViolation(err)) return new UniqueViolation(targetFields(err.meta), { cause: err });
  if (err.code === 'P2025' || err.code === 'P2001') return new NotFound(err.message.split('\n').pop() ?? 'not found', { cause: err });
  if (err.code === 'P2034') return new Conflict('a concurrent transaction changed the same rows', { cause: err });
  if (UNSTORABLE_CODES.has(err.code)) return new UnstorableValue('a value cannot be stored in its column', { cause: err });
  return null;
}

/** Rethrows `err` as its neutral error when it has one, unchanged otherwise (a storage fault, a
 * caller's own error thrown inside a transaction, or a bug). */
export function throwNeutral(err: unknown): never {
  throw toDbError(err) ?? err;
}
