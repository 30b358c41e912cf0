// The filters Entra sends on every cycle (entra-protocol.md §2 U-1, fixtures B*/C*): its matching
// attribute compared with `eq`, by default `userName eq "x"`, else `externalId`, `id`, or a
// multi-valued one such as `emails[type eq "work"].value eq "x"`. Recognised on the AST so the
// repository answers them with one indexed query instead of the general Prisma translation, whose
// query compilation costs more than the lookup itself, and whose correlated EXISTS for value paths
// walks every user of the tenant. Same semantics as to-where.ts: userName and every sub-attribute of
// a multi-valued attribute are caseExact:false (compared lower-cased on their *Key columns); id and
// externalId are case-exact. Anything else returns null and takes the general path (which also
// owns every error message).
import { USER_URN } from '../resources/urns.ts';
import { searchKey } from '../resources/search-key.ts';
import type { AttrPath, FilterNode } from './ast.ts';
import { VALUE_ATTRS } from './to-where.ts';
import { lookupTable } from '../lookup-table.ts';

export type UserKeyColumn = 'id' | 'userNameKey' | 'externalId';
export type UserLookup =
  | { kind: 'column'; column: UserKeyColumn; value: string }
  | { kind: 'value'; attr: string; valueKey: string; typeKey?: string };

const USER_KEYS: Readonly<Record<string, { column: UserKeyColumn; lower: boolean }>> = lookupTable({
  id: { column: 'id', lower: false },
  username: { column: 'userNameKey', lower: true },
  externalid: { column: 'externalId', lower: false },
});

// Multi-valued attributes whose elements have an indexed valueKey: addresses have no `value`,
// x509Certificates values are not indexed.
const KEYED_VALUE_ATTRS: Readonly<Record<string, string>> = lookupTable(
  Object.fromEntries(Object.entries(VALUE_ATTRS).filter(([, attr]) => attr !== 'addresses' && attr !== 'x509Certificates')),
);

const isCore = (p: AttrPath) => p.uri === undefined || p.uri.toLowerCase() === USER_URN.toLowerCase();

/** `sub eq "string"` on a path relative to a multi-valued attribute (inside [...]). */
function subEq(node: FilterNode, sub: string): string | null {
  if (node.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return null;
  if (node.path.uri !== undefined || node.path.sub !== undefined || node.path.attr.toLowerCase() !== sub) return null;
  return searchKey(node.value);
}

function valueLookup(node: FilterNode): UserLookup | null {
  if (node.kind === 'compare') {
    // `emails.value eq "x"`, and `emails eq "x"` which means the same (to-where.ts).
    if (node.op !== 'eq' || typeof node.value !== 'string' || !isCore(node.path)) return null;
    const attr = KEYED_VALUE_ATTRS[node.path.attr.toLowerCase()];
    if (!attr || (node.path.sub !== undefined && node.path.sub.toLowerCase() !== 'value')) return null;
    return { kind: 'value', attr, valueKey: searchKey(node.value) };
  }
  if (node.kind !== 'valuePath' || !isCore(node.path) || node.path.sub !== undefined) return null;
  const attr = KEYED_VALUE_ATTRS[node.path.attr.toLowerCase()];
  if (!attr) return null;
  const f = node.filter;
  const value = subEq(f, 'value');
  if (value !== null) return { kind: 'value', attr, valueKey: value };
  if (f.kind !== 'and') return null;
  for (const [a, b] of [[f.left, f.right], [f.right, f.left]]) {
    const type = subEq(a, 'type');
    const v = subEq(b, 'value');
    if (type !== null && v !== null) return { kind: 'value', attr, valueKey: v, typeKey: type };
  }
  return null;
}

export function userKeyLookup(node: FilterNode): UserLookup | null {
  if (node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string' && node.path.sub === undefined && isCore(node.path)) {
    const key = USER_KEYS[node.path.attr.toLowerCase()];
    if (key) return { kind: 'column', column: key.column, value: key.lower ? searchKey(node.value) : node.value };
  }
  return valueLookup(node);
}
