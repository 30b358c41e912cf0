// Activity log page and CSV export.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.ts';
import type { ActivitySink } from '../activity/types.ts';
import { activityResourceTypes, iterateActivity, listActivity, matchingUserIds, resourceNames, type ActivityFilter, type ActivityItem } from '../db/console-reads.ts';
import { activityVerb } from './activity-labels.ts';
import { changeLines, parseChanges, type ChangeSummary } from '../activity/changes.ts';
import { csvRow } from './csv.ts';
import { link, pageParam, principal, render, str } from './context.ts';
import { listAudit } from '../db/audit.ts';
import { auditLabel } from '../audit/events.ts';
import { dateRange } from './date-range.ts';

const PAGE_SIZE = 50;
// `changes` last, so spreadsheets built on the earlier columns keep working.
const CSV_HEADER = ['time', 'method', 'operation', 'resourceType', 'resourceId', 'status', 'outcome', 'scimType', 'detail', 'durationMs', 'clientId', 'changes'];

/** The change summary as one CSV cell: the lines the page shows, members by id. */
function changesCell(json: string | null): string {
  const s = parseChanges(json);
  return s ? changeLines(s).join('; ') : '';
}

type ParsedFilter = ActivityFilter & { outcomeParam: string; typeParam: string; userParam: string; fromParam: string; toParam: string };

async function filterFrom(db: Db, tenantId: string, q: Record<string, unknown>): Promise<ParsedFilter> {
  const outcome = q.outcome === 'success' || q.outcome === 'failure' ? q.outcome : undefined;
  const type = str(q.type, 40).trim();
  const user = str(q.user, 100).trim();
  const range = dateRange(q);
  const f: ParsedFilter = {
    outcome,
    resourceType: type || undefined,
    from: range.from,
    to: range.to,
    outcomeParam: outcome ?? '',
    typeParam: type,
    userParam: user,
    fromParam: range.fromParam,
    toParam: range.toParam,
  };
  if (user) {
    // A user search narrows to rows about the matching users (by userName, name or email).
    f.resourceType = 'User';
    f.resourceIds = await matchingUserIds(db, tenantId, user);
  }
  return f;
}

/** Rows with the resource's current name, one verb and what a PATCH/PUT changed (members by
 * their current names), for _activity-table. */
export async function readableActivity(db: Db, tenantId: string, items: ActivityItem[]) {
  const summaries = new Map<number, ChangeSummary>();
  const memberIds = new Set<string>();
  for (const i of items) {
    const s = parseChanges(i.changes);
    if (!s) continue;
    summaries.set(i.id, s);
    for (const id of s.members?.addedIds ?? []) memberIds.add(id);
    for (const id of s.members?.removedIds ?? []) memberIds.add(id);
  }
  const ids = (t: string) => [...new Set(items.filter((i) => i.resourceType === t && i.resourceId).map((i) => i.resourceId!))];
  // A member may be a user or a group: its id is looked up in both.
  const names = await resourceNames(db, tenantId, [...new Set([...ids('User'), ...memberIds])], [...new Set([...ids('Group'), ...memberIds])]);
  const nameOf = (id: string) => names.get(id) ?? id;
  return items.map((i) => {
    const s = summaries.get(i.id);
    return { ...i, verb: activityVerb(i.operation), name: i.resourceId ? (names.get(i.resourceId) ?? null) : null, changeLines: s ? changeLines(s, nameOf) : [] };
  });
}

export async function registerActivity(app: FastifyInstance, deps: { db: Db; activity: ActivitySink }) {
  const { db, activity } = deps;

  app.get('/activity', async (req, reply) => {
    const me = principal(req);
    // Recorded rows wait in memory for the next batch (at most a second); writing them first
    // means the page and the overview count the same requests.
    await activity.flush();
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
    const f = await filterFrom(db, me.tenantId, q);
    const [page, types] = await Promise.all([
      listActivity(db, me.tenantId, { ...f, page: pageParam(q.page), pageSize: PAGE_SIZE }),
      activityResourceTypes(db, me.tenantId),
    ]);
    const items = await readableActivity(db, me.tenantId, page.items);
    const base = { outcome: f.outcomeParam, type: f.typeParam, user: f.userParam, from: f.fromParam, to: f.toParam };
    return render(reply, 'activity', {
      title: 'Activity',
      nav: 'activity',
      page: { ...page, items },
      types: [...new Set(['User', 'Group', ...types])],
      outcome: f.outcomeParam,
      type: f.typeParam,
      user: f.userParam,
      from: f.fromParam,
      to: f.toParam,
      csvLink: link('/console/activity.csv', base),
      pageLink: (n: number) => link('/console/activity', { ...base, page: n }),
    });
  });

  app.get('/activity.csv', async (req, reply) => {
    const me = principal(req);
    await activity.flush();
    const f = await filterFrom(db, me.tenantId, req.query as Record<string, unknown>);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="activity-${me.tenantDomain.replace(/[^A-Za-z0-9.-]/g, '_')}-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff');
    async function* lines() {
      yield csvRow(CSV_HEADER);
      for await (const chunk of iterateActivity(db, me.tenantId, f)) {
        let s = '';
        for (const r of chunk) {
          s += csvRow([r.at, r.method, r.operation, r.resourceType, r.resourceId, r.status, r.outcome, r.scimType, r.detail, r.durationMs, r.clientId, changesCell(r.changes)]);
        }
        yield s;
      }
    }
    return reply.send(Readable.from(lines()));
  });
}
