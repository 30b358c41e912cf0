// The SAML replay cache: one row per consumed assertion ID under its issuer. The primary key makes
// a second use fail on every instance that shares the database.
import type { Db } from './client.ts';
import { toDbError, UniqueViolation } from './errors.ts';

/** Throws UniqueViolation when this issuer's assertion ID was already used. */
export async function recordAssertionUse(db: Db, tenantId: string, input: { issuer: string; assertionId: string; expiresAt: Date }): Promise<void> {
  try {
    await db.ssoAssertionUse.create({ data: { issuer: input.issuer, assertionId: input.assertionId, tenantId, expiresAt: input.expiresAt } });
  } catch (err) {
    const e = toDbError(err);
    if (e instanceof UniqueViolation) throw e;
    throw err;
  }
}

/** Across tenants: an expired entry can no longer be replayed (assertions past their validity are
 * refused before the cache is consulted). */
export async function deleteExpiredAssertionUses(db: Db, now: Date): Promise<void> {
  await db.ssoAssertionUse.deleteMany({ where: { expiresAt: { lte: now } } });
}
