// Name → row of attributes.ts, as a filter, sortBy or key lookup names an attribute: schema URN
// optional, names case-insensitive (RFC 7643 §2.1), enterprise attributes also without their URN
// (their names do not collide with core ones; older Entra apps send them unqualified, fixture E08).
// Indexed once per table: a filter resolves a name per comparison.
import { GROUP_ROWS, USER_ROWS, type AttrRow, type AttrSchema, type Resource } from './attributes.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './urns.ts';

export interface AttrTable {
  resource: Resource;
  rows: readonly AttrRow[];
  /** Schema URN (lower-cased) → the row schemas it names. */
  urns: ReadonlyMap<string, readonly AttrSchema[]>;
  /** Row schemas searched, in order, when a name carries no URN. */
  unqualified: readonly AttrSchema[];
  /** Top-level rows by schema, then by lower-cased name. */
  tops: ReadonlyMap<AttrSchema, ReadonlyMap<string, AttrRow>>;
  /** Sub-attribute rows by parent row, then by lower-cased name (in table order). */
  subs: ReadonlyMap<AttrRow, ReadonlyMap<string, AttrRow>>;
}

function table(resource: Resource, rows: readonly AttrRow[], urns: [string, AttrSchema[]][], unqualified: AttrSchema[]): AttrTable {
  const tops = new Map<AttrSchema, Map<string, AttrRow>>();
  const subs = new Map<AttrRow, Map<string, AttrRow>>();
  for (const r of rows) {
    if (r.parent !== undefined) continue;
    if (!tops.has(r.schema)) tops.set(r.schema, new Map());
    tops.get(r.schema)!.set(r.name.toLowerCase(), r);
    subs.set(r, new Map(rows.filter((c) => c.schema === r.schema && c.parent === r.path).map((c) => [c.name.toLowerCase(), c])));
  }
  return { resource, rows, urns: new Map(urns.map(([u, s]) => [u.toLowerCase(), s])), unqualified, tops, subs };
}

export const USER_TABLE = table('User', USER_ROWS, [[USER_URN, ['common', 'core']], [ENTERPRISE_URN, ['enterprise']]], ['common', 'core', 'enterprise']);
export const GROUP_TABLE = table('Group', GROUP_ROWS, [[GROUP_URN, ['common', 'core']]], ['common', 'core']);

/** Thrown-free lookup: the top-level row, `unknownSchema` for a URN the resource does not have. */
export function topRow(t: AttrTable, uri: string | undefined, attr: string): AttrRow | 'unknownSchema' | undefined {
  const schemas = uri === undefined ? t.unqualified : t.urns.get(uri.toLowerCase());
  if (!schemas) return 'unknownSchema';
  const name = attr.toLowerCase();
  for (const s of schemas) {
    const r = t.tops.get(s)?.get(name);
    if (r) return r;
  }
  return undefined;
}

export function childRow(t: AttrTable, parent: AttrRow, name: string): AttrRow | undefined {
  return t.subs.get(parent)?.get(name.toLowerCase());
}

export function childRows(t: AttrTable, parent: AttrRow): AttrRow[] {
  return [...(t.subs.get(parent)?.values() ?? [])];
}

/** The resource column a row reads, when it is one of the resource's own columns. */
export function ownColumn(r: AttrRow): { column: string; nullable: boolean } | undefined {
  if (r.storage.kind === 'column') return { column: r.storage.column, nullable: r.storage.nullable };
  if (r.storage.kind === 'server') return { column: r.storage.column, nullable: false };
  return undefined;
}
