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

/** `maxBytes` bounds the whole page, Users and Groups together (page-budget.ts); a page cut short
 * by it ends where it was cut, so the next startIndex continues exactly there. */
export async function searchAll(users: UsersService, groups: GroupsService, tenantId: string, q: ListParams, maxBytes: number): Promise<ListResult> {
  const listUsers: Lister = (p) => users.list(tenantId, p);
  const listGroups: Lister = (p) => groups.list(tenantId, p);
  const u = await totalOf(listUsers, q);
  const g = await totalOf(listGroups, q);
  if (u.err && g.err) throw u.err;
  const skip = q.startIndex - 1;
  const Resources: Record<string, unknown>[] = [];
  let want = q.count;
  let left = maxBytes;
  if (want > 0 && skip < u.total) {
    const page = await users.listPage(tenantId, { ...q, count: Math.min(want, u.total - skip) }, left);
    Resources.push(...page.resources);
    want -= page.resources.length;
    left -= page.bytes;
    if (page.truncated) want = 0;
  }
  if (want > 0 && g.total > 0 && skip + Resources.length < u.total + g.total) {
    const gStart = Math.max(0, skip - u.total) + 1;
    const page = await groups.listPage(tenantId, { ...q, startIndex: gStart, count: want }, left, Resources.length === 0);
    Resources.push(...page.resources);
  }
  return { schemas: [LIST_URN], totalResults: u.total + g.total, itemsPerPage: Resources.length, startIndex: q.startIndex, Resources };
}
