// Audit log rows (admin and security events), apart from the SCIM Activity table: each is one
// small insert made by a person's action, never on the SCIM hot path.
import type { Db, Prisma } from './client.ts';
import { containsText } from './text-match.ts';

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

function where(db: Db, tenantId: string, f: AuditFilter): Prisma.AuditEventWhereInput {
  const w: Prisma.AuditEventWhereInput = { tenantId };
  if (f.from || f.to) w.at = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) };
  if (f.outcome) w.outcome = f.outcome;
  const s = f.search?.trim();
  // Case-insensitive on both databases, as SQLite's LIKE is by itself.
  if (s) w.OR = [{ actor: containsText(db, s) }, { target: containsText(db, s) }, { event: containsText(db, s) }];
  return w;
}

export async function listAudit(db: Db, tenantId: string, f: AuditFilter & { page: number; pageSize: number }): Promise<{ items: AuditRow[]; total: number }> {
  const w = where(db, tenantId, f);
  const page = Number.isInteger(f.page) && f.page > 0 ? f.page : 1;
  const [items, total] = await db.$transaction([
    db.auditEvent.findMany({ where: w, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip: (page - 1) * f.pageSize, take: f.pageSize }),
    db.auditEvent.count({ where: w }),
  ]);
  return { items: items as AuditRow[], total };
}

export async function sweepAudit(db: Db, before: Date): Promise<number> {
  return (await db.auditEvent.deleteMany({ where: { at: { lt: before } } })).count;
}
