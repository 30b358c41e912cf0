// sortBy / sortOrder → Prisma orderBy (RFC 7644 §3.4.2.3), for the attributes attributes.ts marks
// sortable: those stored in a column of the resource itself. `manager` sorts as manager.value.
// Unknown or unsortable sortBy → 400 invalidValue (RFC 7644 leaves it open; failing loudly beats a
// silent default order). Sorting always ends with id for a stable page order.
import type { Prisma } from '../../db/client.ts';
import { InvalidValueError } from '../errors.ts';
import { GROUP_TABLE, USER_TABLE, childRow, ownColumn, topRow, type AttrTable } from '../resources/attr-lookup.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from '../resources/urns.ts';
import { isAttrName } from './attr-path.ts';
import type { AttrPath } from './ast.ts';

type Order = Record<string, unknown>;

function direction(sortOrder: string | undefined): 'asc' | 'desc' {
  if (sortOrder === undefined || sortOrder === '') return 'asc';
  const s = sortOrder.toLowerCase();
  if (s === 'ascending') return 'asc';
  if (s === 'descending') return 'desc';
  throw new InvalidValueError('sortOrder must be "ascending" or "descending"');
}

function parseSortPath(s: string): AttrPath | undefined {
  const text = s.trim();
  const lower = text.toLowerCase();
  for (const urn of [ENTERPRISE_URN, USER_URN, GROUP_URN]) {
    if (lower.startsWith(urn.toLowerCase() + ':')) {
      const [attr, sub] = text.slice(urn.length + 1).split('.');
      return { uri: urn, attr, ...(sub ? { sub } : {}) };
    }
  }
  const [attr, sub, extra] = text.split('.');
  if (!attr || extra !== undefined || !isAttrName(attr) || (sub !== undefined && !isAttrName(sub))) return undefined;
  return { attr, ...(sub ? { sub } : {}) };
}

function sortColumn(sortBy: string, t: AttrTable): { column: string; nullable: boolean } {
  const p = parseSortPath(sortBy);
  const top = p && topRow(t, p.uri, p.attr);
  const r = typeof top === 'object' ? childRow(t, top, p!.sub ?? 'value') ?? (p!.sub === undefined ? top : undefined) : undefined;
  const column = r?.sortable ? ownColumn(r) : undefined;
  if (!column) throw new InvalidValueError(`sortBy "${sortBy}" is not a sortable attribute`);
  return column;
}

function orderBy(sortBy: string | undefined, sortOrder: string | undefined, t: AttrTable): Order[] {
  const dir = direction(sortOrder);
  if (sortBy === undefined || sortBy.trim() === '') return [{ createdAt: dir }, { id: dir }];
  const { column, nullable } = sortColumn(sortBy, t);
  if (column === 'id') return [{ id: dir }];
  return [{ [column]: nullable ? { sort: dir, nulls: 'last' } : dir }, { id: 'asc' }];
}

export function userOrderBy(sortBy: string | undefined, sortOrder: string | undefined): Prisma.ScimUserOrderByWithRelationInput[] {
  return orderBy(sortBy, sortOrder, USER_TABLE) as Prisma.ScimUserOrderByWithRelationInput[];
}

export function groupOrderBy(sortBy: string | undefined, sortOrder: string | undefined): Prisma.ScimGroupOrderByWithRelationInput[] {
  return orderBy(sortBy, sortOrder, GROUP_TABLE) as Prisma.ScimGroupOrderByWithRelationInput[];
}
