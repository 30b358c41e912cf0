// Stored document → the query columns derived from it (RFC 7643 §2.2: caseExact:false strings are
// stored lower-cased through searchKey), for the rows of attributes.ts that have a column. Filters,
// sorting and uniqueness then run in the database on these columns.
import { findKey } from '../normalize.ts';
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

function field(obj: unknown, name: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  const k = name in obj ? name : findKey(obj, name);
  return k === undefined ? undefined : obj[k];
}

/** The value of one attribute (or one sub-attribute of an element) as a column holds it. */
export function columnValue(row: AttrRow, v: unknown): ColumnValue {
  if (row.type === 'boolean') return typeof v === 'boolean' ? v : null;
  if (row.caseExact) return typeof v === 'string' && v !== '' ? v : null;
  return key(v);
}

/** The document-derived columns of the resource itself (storage kind `column`). */
export function resourceColumns(rows: readonly AttrRow[], doc: ScimDoc): Columns {
  const out: Columns = {};
  for (const r of rows) {
    if (r.storage.kind !== 'column') continue;
    const home = r.schema === 'enterprise' ? field(doc, ENTERPRISE_URN) : doc;
    const v = r.parent === undefined ? field(home, r.name) : field(field(home, r.parent), r.name);
    out[r.storage.column] = columnValue(r, v) ?? r.storage.absent ?? null;
  }
  return out;
}

/** Multi-valued attributes stored one row per element (storage kind `valueRows`). */
export function valueRowAttrs(rows: readonly AttrRow[]): string[] {
  return rows.filter((r) => r.storage.kind === 'valueRows').map((r) => r.name);
}

/** One row per element of every `valueRows` attribute; each row names every value column (a
 * multi-row INSERT takes its column list from the first row). */
export function valueRows(rows: readonly AttrRow[], doc: ScimDoc): Columns[] {
  const subs = rows.filter((r) => r.storage.kind === 'valueColumn');
  const empty: Columns = {};
  for (const r of subs) if (r.storage.kind === 'valueColumn') empty[r.storage.column] = r.storage.nullable ? null : false;
  const out: Columns[] = [];
  for (const attr of valueRowAttrs(rows)) {
    const list = doc[attr];
    if (!Array.isArray(list)) continue;
    const own = subs.filter((r) => r.parent === attr);
    for (const el of list) {
      const v: Columns = { attr, ...empty };
      for (const r of own) if (r.storage.kind === 'valueColumn') v[r.storage.column] = columnValue(r, field(el, r.name)) ?? empty[r.storage.column];
      out.push(v);
    }
  }
  return out;
}
