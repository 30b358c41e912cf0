// Deleting one SCIM resource row (ScimUser, ScimGroup), with the If-Match check in the same
// transaction as the delete, so no write can slip between the version read and the delete.
import type { Db } from './client.ts';
import { throwNeutral } from './errors.ts';
import type { TenantCountCache } from './paging.ts';

type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
type Key = { where: { tenantId: string; id: string } };

/** What the delete needs of a table's model: ScimUser's and ScimGroup's both fit. */
export interface VersionedRows {
  findFirst(args: Key & { select: { version: true } }): PromiseLike<{ version: number } | null>;
  deleteMany(args: Key): PromiseLike<{ count: number }>;
}

/** Hard delete of the tenant's row `id`; `check` runs with its version before the delete (If-Match),
 * when given. False when there was no such row. */
export async function deleteVersioned(
  db: Db,
  rows: (client: Tx) => VersionedRows,
  tenantId: string,
  id: string,
  check?: (version: number) => void,
): Promise<boolean> {
  const key = { where: { tenantId, id } };
  if (!check) return (await rows(db).deleteMany(key)).count > 0;
  return db.$transaction(async (tx) => {
    const cur = await rows(tx).findFirst({ ...key, select: { version: true } });
    if (!cur) return false;
    check(cur.version);
    return (await rows(tx).deleteMany(key)).count > 0;
  });
}

/** deleteVersioned for a SCIM collection: the tenant's cached count is dropped around the delete,
 * and a database error leaves as a neutral one (errors.ts). */
export async function removeResource(
  db: Db,
  counts: TenantCountCache,
  rows: (client: Tx) => VersionedRows,
  tenantId: string,
  id: string,
  check?: (version: number) => void,
): Promise<boolean> {
  try {
    return await counts.changing(tenantId, () => deleteVersioned(db, rows, tenantId, id, check));
  } catch (err) {
    throwNeutral(err);
  }
}
