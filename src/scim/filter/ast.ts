// Filter AST (RFC 7644 §3.4.2.2). Pure data: produced by parse.ts, consumed by to-where.ts (SQL via
// Prisma), patch/ (in-memory value-path matching) and member-filter.ts.

/** An attribute path as written; resolution against a schema is case-insensitive (RFC 7643 §2.1).
 * Inside a valuePath filter, paths are RELATIVE to the multi-valued attribute: in
 * `emails[type eq "work"]` the inner path is `{ attr: 'type' }`. */
export type AttrPath = { uri?: string; attr: string; sub?: string };

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompareValue = string | number | boolean | null;

/**
 * `emails[type eq "work"].value eq "x"` (a value path followed by a sub-attribute comparison; not
 * in the RFC filter ABNF but sent by Entra for value-path matching attributes) is represented as
 *   { kind: 'valuePath', path: {attr:'emails'}, filter: and(<type eq "work">, <value eq "x">) }
 * i.e. "some element satisfies both", which is exactly its meaning; consumers need no extra node.
 */
export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompareValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export function isCompareOp(s: string): s is CompareOp {
  return (COMPARE_OPS as readonly string[]).includes(s);
}
