// POST /.search at the service root (RFC 7644 §3.4.3): one result set over Users then Groups,
// paged across both. A filter that names an attribute one type lacks matches nothing there.
import { InvalidFilterError } from './errors.ts';
import type { ListParams } from './list-params.ts';
import { LIST_URN } from './media.ts';
import type { UsersService, ListResult } from './users-service.ts';
import type { GroupsService } from './groups-service.ts';

type Lister = (q: ListParams) => Promise<ListResult>;

async function totalOf(list: Lister, q: ListParams): Promise<{ total: number; err?: unknown }> {
  try {
    return { total: (await list({ ...q, startIndex: 1, count: 0 })).totalResults };
  } catch (err) {
    if (err instanceof InvalidFilterError) return { total: 0, err };
    throw err;
  }
}

export async function searchAll(users: UsersService, groups: GroupsService, tenantId: string, q: ListParams): Promise<ListResult> {
  const listUsers: Lister = (p) => users.list(tenantId, p);
  const listGroups: Lister = (p) => groups.list(tenantId, p);
  const u = await totalOf(listUsers, q);
  const g = await totalOf(listGroups, q);
  if (u.err && g.err) throw u.err;
  const skip = q.startIndex - 1;
  const Resources: Record<string, unknown>[] = [];
  let want = q.count;
  if (want > 0 && skip < u.total) {
    const page = await listUsers({ ...q, count: Math.min(want, u.total - skip) });
    Resources.push(...page.Resources);
    want -= page.Resources.length;
  }
  if (want > 0 && g.total > 0 && skip + Resources.length < u.total + g.total) {
    const gStart = Math.max(0, skip - u.total) + 1;
    const page = await listGroups({ ...q, startIndex: gStart, count: want });
    Resources.push(...page.Resources);
  }
  return { schemas: [LIST_URN], totalResults: u.total + g.total, itemsPerPage: Resources.length, startIndex: q.startIndex, Resources };
}
