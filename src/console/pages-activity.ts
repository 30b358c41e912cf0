// Activity log page and CSV export (issue 4 §5).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.ts';
import { activityResourceTypes, iterateActivity, listActivity, type ActivityFilter } from '../db/console-reads.ts';
import { csvRow } from './csv.ts';
import { link, pageParam, principal, render, str } from './context.ts';
import { listAudit } from '../db/audit.ts';
import { auditLabel } from '../audit/events.ts';
import { dateRange } from './date-range.ts';

const PAGE_SIZE = 50;
const CSV_HEADER = ['time', 'method', 'operation', 'resourceType', 'resourceId', 'status', 'outcome', 'scimType', 'detail', 'durationMs', 'clientId'];

function filterFrom(q: Record<string, unknown>): ActivityFilter & { outcomeParam: string; typeParam: string } {
  const outcome = q.outcome === 'success' || q.outcome === 'failure' ? q.outcome : undefined;
  const type = str(q.type, 40).trim();
  return { outcome, resourceType: type || undefined, outcomeParam: outcome ?? '', typeParam: type };
}

export async function registerActivity(app: FastifyInstance, deps: { db: Db }) {
  const { db } = deps;

  app.get('/activity', async (req, reply) => {
    const me = principal(req);
    const q = req.query as Record<string, unknown>;
    if (q.view === 'audit') {
      // Admin and security events, apart from SCIM traffic; viewers may read them too.
      const range = dateRange(q);
      const outcome = q.outcome === 'success' || q.outcome === 'failure' ? q.outcome : undefined;
      const search = str(q.q, 100).trim();
      const pageNo = pageParam(q.page);
      const r = await listAudit(db, me.tenantId, { from: range.from, to: range.to, outcome, search, page: pageNo, pageSize: PAGE_SIZE });
      const base = { view: 'audit', outcome: outcome ?? '', q: search, from: range.fromParam, to: range.toParam };
      return render(reply, 'activity-audit', {
        title: 'Activity: admin and security events',
        nav: 'activity',
        items: r.items.map((i) => ({ ...i, label: auditLabel(i.event) })),
        page: { items: r.items, total: r.total, page: pageNo, pageSize: PAGE_SIZE, pages: Math.max(1, Math.ceil(r.total / PAGE_SIZE)) },
        outcome: outcome ?? '',
        search,
        from: range.fromParam,
        to: range.toParam,
        filtered: !!(outcome || search || range.from || range.to),
        pageLink: (n: number) => link('/console/activity', { ...base, page: n }),
      });
    }
    const f = filterFrom(q);
    const [page, types] = await Promise.all([
      listActivity(db, me.tenantId, { outcome: f.outcome, resourceType: f.resourceType, page: pageParam(q.page), pageSize: PAGE_SIZE }),
      activityResourceTypes(db, me.tenantId),
    ]);
    const base = { outcome: f.outcomeParam, type: f.typeParam };
    return render(reply, 'activity', {
      title: 'Activity',
      nav: 'activity',
      page,
      types: [...new Set(['User', 'Group', ...types])],
      outcome: f.outcomeParam,
      type: f.typeParam,
      csvLink: link('/console/activity.csv', base),
      pageLink: (n: number) => link('/console/activity', { ...base, page: n }),
    });
  });

  app.get('/activity.csv', async (req, reply) => {
    const me = principal(req);
    const f = filterFrom(req.query as Record<string, unknown>);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="activity-${me.tenantDomain.replace(/[^A-Za-z0-9.-]/g, '_')}-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff');
    async function* lines() {
      yield csvRow(CSV_HEADER);
      for await (const chunk of iterateActivity(db, me.tenantId, { outcome: f.outcome, resourceType: f.resourceType })) {
        let s = '';
        for (const r of chunk) {
          s += csvRow([r.at, r.method, r.operation, r.resourceType, r.resourceId, r.status, r.outcome, r.scimType, r.detail, r.durationMs, r.clientId]);
        }
        yield s;
      }
    }
    return reply.send(Readable.from(lines()));
  });
}
