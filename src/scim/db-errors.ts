// The neutral errors of the database layer as SCIM errors (RFC 7644 §3.12), in one place: the
// services pass the words only they know (the userName or displayName that is taken, the id that
// is missing). Anything else passes unchanged to the SCIM error edge: a storage fault becomes a
// 503 there, an unexpected error a logged 500.
import { Conflict, DbError, NotFound, ReferenceNotFound, SelfReference, UniqueViolation, UnstorableValue } from '../db/errors.ts';
import { ConflictError, InvalidValueError, NotFoundError, ScimError, UniquenessError } from './errors.ts';

export interface DbErrorWords {
  /** Detail of the 409 uniqueness answer: which value is already in use. */
  unique?: string;
  /** Detail of the 404 answer: which resource is not there. */
  notFound?: string;
}

/** Detail of a 409 for a userName already in use (userName is unique per tenant, RFC 7643 §4.1.1). */
export function userNameInUse(userName: unknown): string {
  return `userName "${String(userName ?? '')}" is already in use in this tenant`;
}

/** Detail of a 409 for a group displayName already in use in the tenant. */
export function displayNameInUse(displayName: unknown): string {
  return `Group displayName "${String(displayName ?? '')}" is already in use in this tenant`;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function referenceDetail(e: ReferenceNotFound): string {
  if (e.attribute === 'manager') return `manager value "${clip(e.value, 100)}" is not a User in this tenant`;
  if (e.attribute === 'members') return `members value "${e.value}" is not a User or Group in this tenant`;
  return `${e.attribute} value "${clip(e.value, 100)}" does not name a resource in this tenant`;
}

function selfReferenceDetail(e: SelfReference): string {
  return e.attribute === 'members' ? 'A group cannot be a member of itself' : `"${e.attribute}" cannot reference the resource itself`;
}

/** The SCIM error for a neutral database error, or null when `err` is none. */
export function scimErrorOf(err: unknown, words: DbErrorWords = {}): ScimError | null {
  if (!(err instanceof DbError)) return null;
  if (err instanceof UniqueViolation) return new UniquenessError(words.unique ?? 'A value in the request is already in use in this tenant');
  if (err instanceof NotFound) return new NotFoundError(words.notFound ?? 'The resource was not found');
  if (err instanceof ReferenceNotFound) return new InvalidValueError(referenceDetail(err));
  if (err instanceof SelfReference) return new InvalidValueError(selfReferenceDetail(err));
  if (err instanceof UnstorableValue) return new InvalidValueError('A value in the request cannot be stored');
  // Every retry of the transaction lost to a concurrent writer of the same resource.
  if (err instanceof Conflict) return new ConflictError('The resource was changed by a concurrent request; retry');
  return null;
}

/** Rethrows `err` as its SCIM error when it is a neutral database error, unchanged otherwise. */
export function throwScim(err: unknown, words: DbErrorWords = {}): never {
  throw scimErrorOf(err, words) ?? err;
}

/** Runs a repository call, answering its neutral errors in SCIM terms. `words` is read only when
 * the call fails, so it may name what the call itself worked out (the displayName a PATCH set). */
export async function scimDb<T>(words: DbErrorWords | (() => DbErrorWords), call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throwScim(err, typeof words === 'function' ? words() : words);
  }
}
