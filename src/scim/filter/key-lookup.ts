// The filters Entra sends on every cycle, `userName eq "x"`, `externalId eq "x"`, `id eq "x"`
// (entra-protocol.md §2, fixtures B*/C*), recognised on the AST so the repository can answer them
// with one indexed equality query instead of the general Prisma filter translation, whose query
// compilation costs more than the lookup itself. Same semantics as to-where.ts: userName is
// caseExact:false (compared lower-cased on userNameKey); id and externalId are case-exact.
// Anything else returns null and takes the general path (which also owns every error message).
import { USER_URN } from '../resources/urns.ts';
import type { FilterNode } from './ast.ts';

export type UserKeyColumn = 'id' | 'userNameKey' | 'externalId';
export interface KeyLookup<C extends string> {
  column: C;
  value: string;
}

const USER_KEYS: Record<string, { column: UserKeyColumn; lower: boolean }> = {
  id: { column: 'id', lower: false },
  username: { column: 'userNameKey', lower: true },
  externalid: { column: 'externalId', lower: false },
};

export function userKeyLookup(node: FilterNode): KeyLookup<UserKeyColumn> | null {
  if (node.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return null;
  const { uri, attr, sub } = node.path;
  if (sub !== undefined || (uri !== undefined && uri.toLowerCase() !== USER_URN.toLowerCase())) return null;
  const key = USER_KEYS[attr.toLowerCase()];
  if (!key) return null;
  return { column: key.column, value: key.lower ? node.value.toLowerCase() : node.value };
}
