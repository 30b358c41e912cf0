// Stored document → the query columns derived from it (RFC 7643 §2.2: caseExact:false strings are
// stored lower-cased through searchKey), for the rows of attributes.ts that have a column. Filters,
// sorting and uniqueness then run in the database on these columns.
import { ENTERPRISE_URN } from './urns.ts';
import { searchKey } from './search-key.ts';
import { isPlainObject, type ScimDoc } from './values.ts';
import type { AttrRow } from './attributes.ts';

export type ColumnValue = string | boolean | null;
export type Columns = Record<string, ColumnValue>;

/** Lower-cased key for a caseExact:false attribute; null when absent/empty. */
export function key(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? searchKey(v) : null;
}

/** Stored documents carry canonical attribute names (the mappers and PATCH resolve names
 * case-insensitively before storing), so a plain read finds them; the names come from the table,
 * none of them is an Object.prototype member. */
function field(obj: unknown, name: string): unknown {
  return isPlainObject(obj) ? obj[name] : undefined;
}

type Mode = 'boolean' | 'exact' | 'key';

function modeOf(row: AttrRow): Mode {
  return row.type === 'boolean' ? 'boolean' : row.caseExact ? 'exact' : 'key';
}

/** The value of one attribute (or one sub-attribute of an element) as a column holds it. */
function columnValue(mode: Mode, v: unknown): ColumnValue {
  if (mode === 'boolean') return typeof v === 'boolean' ? v : null;
  if (mode === 'exact') return typeof v === 'string' && v !== '' ? v : null;
  return key(v);
}

// What to read for a table, worked out once per table (in objects of one shape, so the loops below
// stay monomorphic): every write derives its columns twice (the stored document's value rows, to
// skip rewriting them when unchanged, and the new document's).
interface Read {
  column: string;
  mode: Mode;
  enterprise: boolean;
  parent: string | null;
  name: string;
  absent: ColumnValue;
}
interface Plan {
  own: Read[];
  /** Builds the own columns object from their values, in `own` order (see shaped()). */
  ownObject: (values: ColumnValue[]) => Columns;
  /** Per multi-valued attribute, every value column (each row names all of them): the read of
   * this attribute's sub-attribute stored there, or null. */
  values: { attr: string; columns: { column: string; read: Read | null; absent: ColumnValue }[] }[];
  /** Builds one value row from `attr` and the values of every value column, in order. */
  valueObject: (values: ColumnValue[]) => Columns;
}

/** A function returning an object literal with these keys, from an array of their values. Filling
 * an object key by key with computed names goes through V8's generic (megamorphic) store, which
 * made deriving the ~30 columns of a write 3x slower than the hand-written literal it replaces;
 * the keys are column names from the attribute table, never client input. */
function shaped(keys: string[]): (values: ColumnValue[]) => Columns {
  const body = `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}};`;
  return new Function('v', body) as (values: ColumnValue[]) => Columns;
}
const plans = new WeakMap<readonly AttrRow[], Plan>();

function readOf(r: AttrRow, column: string, absent: ColumnValue): Read {
  return { column, mode: modeOf(r), enterprise: r.schema === 'enterprise', parent: r.parent ?? null, name: r.name, absent };
}

function planOf(rows: readonly AttrRow[]): Plan {
  let p = plans.get(rows);
  if (p) return p;
  const own: Read[] = [];
  const empty = new Map<string, ColumnValue>();
  const subs: Read[] = [];
  for (const r of rows) {
    const s = r.storage;
    if (s.kind === 'column') own.push(readOf(r, s.column, s.absent ?? null));
    if (s.kind === 'valueColumn') {
      if (!empty.has(s.column)) empty.set(s.column, s.nullable ? null : false);
      subs.push(readOf(r, s.column, empty.get(s.column)!));
    }
  }
  const values = valueRowAttrs(rows).map((attr) => ({
    attr,
    columns: [...empty].map(([column, absent]) => ({ column, absent, read: subs.find((x) => x.parent === attr && x.column === column) ?? null })),
  }));
  p = { own, ownObject: shaped(own.map((r) => r.column)), values, valueObject: shaped(['attr', ...empty.keys()]) };
  plans.set(rows, p);
  return p;
}

/** The document-derived columns of the resource itself (storage kind `column`). */
export function resourceColumns(rows: readonly AttrRow[], doc: ScimDoc): Columns {
  const plan = planOf(rows);
  const ext = field(doc, ENTERPRISE_URN);
  const values = plan.own.map((r) => {
    const home = r.enterprise ? ext : doc;
    const v = r.parent === null ? field(home, r.name) : field(field(home, r.parent), r.name);
    return columnValue(r.mode, v) ?? r.absent;
  });
  return plan.ownObject(values);
}

/** Multi-valued attributes stored one row per element (storage kind `valueRows`). */
export function valueRowAttrs(rows: readonly AttrRow[]): string[] {
  return rows.filter((r) => r.storage.kind === 'valueRows').map((r) => r.name);
}

/** One row per element of every `valueRows` attribute; each row names every value column (a
 * multi-row INSERT takes its column list from the first row). */
export function valueRows(rows: readonly AttrRow[], doc: ScimDoc): Columns[] {
  const plan = planOf(rows);
  const out: Columns[] = [];
  for (const { attr, columns } of plan.values) {
    const list = doc[attr];
    if (!Array.isArray(list)) continue;
    for (const el of list) {
      const values: ColumnValue[] = [attr];
      for (const c of columns) values.push(c.read === null ? c.absent : (columnValue(c.read.mode, field(el, c.read.name)) ?? c.absent));
      out.push(plan.valueObject(values));
    }
  }
  return out;
}
