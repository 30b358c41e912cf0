// Seeding for the scale mode of bench/cycle.ts: users i = from … to-1 named like the cycle's users,
// written by the database itself from one template. The template is one user run through the
// service's own index function (toWrite) with a marker where the number goes; each column that
// holds the marker becomes `replace(template, marker, i)` over a recursive CTE of numbers, so a
// million users are a few INSERT … SELECT statements (through Prisma's $executeRaw) instead of
// 500 createMany calls that took 40 minutes under load. The rows are the ones the repository
// would write for these documents: same columns, same keys, same value rows; the list-counter
// triggers fire as for any insert.
import type { Db } from '../src/db/client.ts';
import { Prisma } from '../src/db/generated/client.ts';
import { toWrite, type Resource } from '../src/scim/users-service.ts';

const MARK = '000000000';
const ROWS_PER_STATEMENT = 50_000;

/** A column's value for row i: the template with the marker replaced, or the constant bound. */
function cell(v: unknown): Prisma.Sql {
  if (typeof v === 'string' && v.includes(MARK)) return Prisma.sql`replace(${v}, ${MARK}, CAST(n."i" AS TEXT))`;
  return Prisma.sql`${v ?? null}`;
}

function insertFrom(table: string, row: Record<string, unknown>, from: number, to: number): Prisma.Sql {
  const cols = Object.keys(row);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(cols.map((c) => `"${c}"`).join(', '))})
    WITH RECURSIVE n("i") AS (SELECT CAST(${from} AS INTEGER) UNION ALL SELECT n."i" + 1 FROM n WHERE n."i" < ${to - 1})
    SELECT ${Prisma.join(cols.map((c) => cell(row[c])))} FROM n`;
}

/** Users `from` … `to - 1`, each the SCIM document `doc` gives for its number. */
export async function seedUsers(db: Db, tenantId: string, from: number, to: number, doc: (i: string) => Resource): Promise<void> {
  const w = toWrite(doc(MARK));
  // The id is the number with a per-seed prefix: unique, and stable in list order like a UUID.
  const id = `seed-${Date.now().toString(36)}-${MARK}`;
  for (let lo = from; lo < to; lo += ROWS_PER_STATEMENT) {
    const hi = Math.min(to, lo + ROWS_PER_STATEMENT);
    const now = new Date();
    const user = { id, tenantId, ...w.columns, displayName: w.displayName, data: JSON.stringify(w.doc), version: 1, createdAt: now, updatedAt: now };
    const values = w.values.map((v) => insertFrom('ScimUserValue', { ...v, tenantId, userId: id }, lo, hi));
    await db.$transaction([db.$executeRaw(insertFrom('ScimUser', user, lo, hi)), ...values.map((sql) => db.$executeRaw(sql))]);
  }
}
