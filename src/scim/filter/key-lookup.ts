// The filters Entra sends on every cycle (fixtures B01–B04, C01–C04): its matching attribute
// compared with `eq`, by default `userName eq "x"`, else `externalId`, `id`, or a multi-valued one
// such as `emails[type eq "work"].value eq "x"`. Recognised on the AST so the repository answers
// them with one indexed query instead of the general Prisma translation, whose query compilation
// costs more than the lookup itself, and whose correlated EXISTS for value paths walks every user
// of the tenant. Which attributes qualify comes from resources/attributes.ts (rows marked
// `matching`, and multi-valued attributes whose value and type are ScimUserValue's indexed
// valueKey/typeKey), with the same case rules as the general path. Anything else returns null and
// takes the general path (which also owns every error message).
import type { AttrRow } from '../resources/attributes.ts';
import { USER_TABLE, childRow, ownColumn } from '../resources/attr-lookup.ts';
import { USER_URN } from '../resources/urns.ts';
import { searchKey } from '../resources/search-key.ts';
import type { AttrPath, FilterNode } from './ast.ts';

/** A column of ScimUser holding one of Entra's matching attributes. */
export type UserKeyColumn = string;
export type UserLookup =
  | { kind: 'column'; column: UserKeyColumn; value: string }
  | { kind: 'value'; attr: string; valueKey: string; typeKey?: string };

const inCase = (caseExact: boolean, v: string) => (caseExact ? v : searchKey(v));
const coreRows = (): AttrRow[] => USER_TABLE.rows.filter((r) => r.parent === undefined && (r.schema === 'core' || r.schema === 'common'));

/** Matching attributes stored in a resource column (id, userName, externalId), by lower-cased name. */
const KEY_COLUMNS = new Map<string, { column: string; caseExact: boolean }>(
  coreRows().flatMap((r) => {
    const own = r.matching ? ownColumn(r) : undefined;
    return own ? [[r.name.toLowerCase(), { column: own.column, caseExact: r.caseExact }] as const] : [];
  }),
);

interface KeyedValues {
  attr: string;
  value: AttrRow;
  type?: AttrRow;
}

/** Multi-valued attributes whose elements' value (and type) are ScimUserValue's indexed valueKey
 * (typeKey), by lower-cased name: addresses have no `value`, x509Certificates values are not indexed. */
const KEYED_VALUES = new Map<string, KeyedValues>(
  coreRows().flatMap((top) => {
    if (top.storage.kind !== 'valueRows') return [];
    const value = childRow(USER_TABLE, top, 'value');
    const type = childRow(USER_TABLE, top, 'type');
    if (value?.storage.kind !== 'valueColumn' || value.storage.column !== 'valueKey') return [];
    const k: KeyedValues = { attr: top.name, value, ...(type?.storage.kind === 'valueColumn' && type.storage.column === 'typeKey' ? { type } : {}) };
    return [[top.name.toLowerCase(), k] as const];
  }),
);

const isCore = (p: AttrPath) => p.uri === undefined || p.uri.toLowerCase() === USER_URN.toLowerCase();

/** `sub eq "string"` on a path relative to a multi-valued attribute (inside [...]). */
function subEq(node: FilterNode, sub: AttrRow | undefined): string | null {
  if (!sub || node.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return null;
  if (node.path.uri !== undefined || node.path.sub !== undefined || node.path.attr.toLowerCase() !== sub.name.toLowerCase()) return null;
  return inCase(sub.caseExact, node.value);
}

function valueLookup(node: FilterNode): UserLookup | null {
  if (node.kind === 'compare') {
    // `emails.value eq "x"`, and `emails eq "x"` which means the same (to-where.ts).
    if (node.op !== 'eq' || typeof node.value !== 'string' || !isCore(node.path)) return null;
    const k = KEYED_VALUES.get(node.path.attr.toLowerCase());
    if (!k || (node.path.sub !== undefined && node.path.sub.toLowerCase() !== 'value')) return null;
    return { kind: 'value', attr: k.attr, valueKey: inCase(k.value.caseExact, node.value) };
  }
  if (node.kind !== 'valuePath' || !isCore(node.path) || node.path.sub !== undefined) return null;
  const k = KEYED_VALUES.get(node.path.attr.toLowerCase());
  if (!k) return null;
  const f = node.filter;
  const value = subEq(f, k.value);
  if (value !== null) return { kind: 'value', attr: k.attr, valueKey: value };
  if (f.kind !== 'and') return null;
  for (const [a, b] of [[f.left, f.right], [f.right, f.left]]) {
    const type = subEq(a, k.type);
    const v = subEq(b, k.value);
    if (type !== null && v !== null) return { kind: 'value', attr: k.attr, valueKey: v, typeKey: type };
  }
  return null;
}

export function userKeyLookup(node: FilterNode): UserLookup | null {
  if (node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string' && node.path.sub === undefined && isCore(node.path)) {
    const key = KEY_COLUMNS.get(node.path.attr.toLowerCase());
    if (key) return { kind: 'column', column: key.column, value: inCase(key.caseExact, node.value) };
  }
  return valueLookup(node);
}
