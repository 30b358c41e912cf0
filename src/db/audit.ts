// Audit log rows (admin and security events), apart from the SCIM Activity table: each is one
// small insert made by a person's action, never on the SCIM hot path.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';
import { textContainsSql } from './like.ts';
import { rawCount } from './raw-values.ts';

export interface AuditRowInput {
  tenantId: string | null;
  at: Date;
  event: string;
  actor: string | null;
  ip: string | null;
  outcome: 'success' | 'failure';
  target: string | null;
  detail: string | null;
}

export interface AuditRow extends AuditRowInput {
  id: number;
}

export async function insertAudit(db: Db, row: AuditRowInput): Promise<void> {
  await db.auditEvent.create({ data: row });
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  search?: string;
  outcome?: 'success' | 'failure';
}

function where(tenantId: string, f: AuditFilter): Prisma.AuditEventWhereInput {
  const w: Prisma.AuditEventWhereInput = { tenantId };
  if (f.from || f.to) w.at = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) };
  if (f.outcome) w.outcome = f.outcome;
  return w;
}

/** The same rows as where() plus the search, as SQL: Prisma's `contains` leaves `%` and `_` as
 * wildcards and differs in case between the databases (like.ts). Dates are bound as parameters,
 * compared by each database in the column's own type. */
function searchSql(db: Db, tenantId: string, f: AuditFilter, term: string): Prisma.Sql {
  const col = (name: string) => Prisma.raw(`a."${name}"`);
  const conds = [Prisma.sql`a."tenantId" = ${tenantId}`];
  if (f.from) conds.push(Prisma.sql`a."at" >= ${f.from}`);
  if (f.to) conds.push(Prisma.sql`a."at" < ${f.to}`);
  if (f.outcome) conds.push(Prisma.sql`a."outcome" = ${f.outcome}`);
  const matches = Prisma.join(['actor', 'target', 'event'].map((c) => textContainsSql(db, col(c), term)), ' OR ');
  conds.push(Prisma.sql`(${matches})`);
  return Prisma.sql`"AuditEvent" a WHERE ${Prisma.join(conds, ' AND ')}`;
}

const ORDER: Prisma.AuditEventOrderByWithRelationInput[] = [{ at: 'desc' }, { id: 'desc' }];

export async function listAudit(db: Db, tenantId: string, f: AuditFilter & { page: number; pageSize: number }): Promise<{ items: AuditRow[]; total: number }> {
  const page = Number.isInteger(f.page) && f.page > 0 ? f.page : 1;
  const skip = (page - 1) * f.pageSize;
  const term = f.search?.trim();
  if (!term) {
    const w = where(tenantId, f);
    const [items, total] = await db.$transaction([db.auditEvent.findMany({ where: w, orderBy: ORDER, skip, take: f.pageSize }), db.auditEvent.count({ where: w })]);
    return { items: items as AuditRow[], total };
  }
  // Case-insensitive (ASCII letters) and literal on both databases: the page's ids and the total in
  // SQL, then the page's rows through Prisma.
  const from = searchSql(db, tenantId, f, term);
  const [ids, counted] = await db.$transaction([
    db.$queryRaw<{ id: unknown }[]>(Prisma.sql`SELECT a."id" FROM ${from} ORDER BY a."at" DESC, a."id" DESC LIMIT ${f.pageSize} OFFSET ${skip}`),
    db.$queryRaw<{ n: unknown }[]>(Prisma.sql`SELECT COUNT(*) AS "n" FROM ${from}`),
  ]);
  const pageIds = ids.map((r) => Number(r.id));
  const items = pageIds.length ? await db.auditEvent.findMany({ where: { tenantId, id: { in: pageIds } }, orderBy: ORDER }) : [];
  return { items: items as AuditRow[], total: rawCount(counted[0]?.n) };
}

export async function sweepAudit(db: Db, before: Date): Promise<number> {
  return (await db.auditEvent.deleteMany({ where: { at: { lt: before } } })).count;
}
