// Filter AST → Prisma where input (the caller ANDs { tenantId }). Pure: only Prisma *types*. Which
// attributes exist and where each is stored comes from resources/attributes.ts.
//
// Semantics (RFC 7644 §3.4.2.2):
// - caseExact:false attributes are compared on lower-cased *Key columns with a lower-cased operand;
//   id, externalId, manager and member ids are case-exact, and support no co/sw/ew.
// - Positive comparisons on nullable columns carry `not: null`, so that under SQL three-valued
//   logic NOT(...) also matches rows where the attribute is absent: `not (title eq "x")` matches
//   users without a title. `ne` is NOT(eq): it matches absent values.
// - Multi-valued attributes (emails, phoneNumbers, …) become one correlated EXISTS over
//   ScimUserValue (`values: { some }`); `emails[type eq "work" and value co "@x"]` keeps both
//   conditions on the same element. On a multi-valued attribute `ne` means "no element equals".
// - `emails eq x` means emails.value, `manager eq x` manager.value; `groups`/`members` compare
//   their value (a member id).
// - Booleans support eq/ne only ("True"/"False" strings accepted, as Entra sends them: G01, G04); dates
//   (meta.created, meta.lastModified) compare as instants; co/sw/ew on them is invalidFilter.
// - Unknown attributes, unsupported operator/attribute pairs → invalidFilter, never ignored.
// - `eq` on userName, externalId, displayName, id and emails.value hit indexed equality
//   (userNameKey, externalId, displayNameKey, primary key, ScimUserValue(tenantId, attr, valueKey)).
import type { Prisma } from '../../db/client.ts';
import { InvalidFilterError } from '../errors.ts';
import { coerceBoolean } from '../normalize.ts';
import type { AttrRow } from '../resources/attributes.ts';
import { GROUP_TABLE, USER_TABLE, childRow, childRows, topRow, type AttrTable } from '../resources/attr-lookup.ts';
import { searchKey } from '../resources/search-key.ts';
import type { AttrPath, CompareOp, CompareValue, FilterNode } from './ast.ts';
import { PRESENT, rowField, type Field, type Resolved } from './fields.ts';
import { and, finish, not, or, parts, type W } from './where-algebra.ts';

export { userOrderBy, groupOrderBy } from './sort.ts';

interface Multi {
  name: string;
  wrap: (w: W) => W;
  sub: (path: AttrPath, forPresent: boolean) => Resolved;
}
interface Scope {
  resolve: (path: AttrPath, forPresent: boolean) => Resolved;
  multi: (path: AttrPath) => Multi;
}

// ---- generic compilation -------------------------------------------------------------------------

function fail(detail: string): never {
  throw new InvalidFilterError(detail);
}

function label(p: AttrPath): string {
  return `${p.uri ? `${p.uri}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
}

function compile(node: FilterNode, scope: Scope): W {
  switch (node.kind) {
    case 'and':
      return and(compile(node.left, scope), compile(node.right, scope));
    case 'or':
      return or(compile(node.left, scope), compile(node.right, scope));
    case 'not':
      return not(compile(node.expr, scope));
    case 'present': {
      const r = scope.resolve(node.path, true);
      return present(r);
    }
    case 'compare': {
      const r = scope.resolve(node.path, false);
      if (r.k === 'presence') fail(`"${label(node.path)}" is complex: compare one of its sub-attributes`);
      if (r.k === 'const') return compareConst(r.value, node.op, node.value, node.path);
      return compareField(r.field, node.op, node.value, node.path);
    }
    case 'valuePath': {
      const m = scope.multi(node.path);
      const inner: Scope = {
        resolve: (p, forPresent) => {
          if (p.uri !== undefined || p.sub !== undefined) fail(`"${label(p)}" is not a sub-attribute of "${m.name}"`);
          return m.sub(p, forPresent);
        },
        multi: () => fail('Value paths cannot be nested'),
      };
      return m.wrap(compile(node.filter, inner));
    }
  }
}

function wrap(f: Field, w: W): W {
  return f.wrap ? f.wrap(w) : w;
}

function compareConst(actual: string, op: CompareOp, v: CompareValue, p: AttrPath): W {
  if (typeof v !== 'string') fail(`"${label(p)}" compares with a string`);
  const eq = actual.toLowerCase() === v.toLowerCase();
  if (op === 'eq') return eq;
  if (op === 'ne') return !eq;
  return fail(`Operator "${op}" is not supported on "${label(p)}"`);
}

function operand(f: Field, v: CompareValue, p: AttrPath): string | boolean | Date {
  if (f.type === 'boolean') {
    try {
      return coerceBoolean(v, label(p));
    } catch {
      return fail(`"${label(p)}" is a boolean: compare it with true or false`);
    }
  }
  if (f.type === 'date') {
    if (typeof v !== 'string') fail(`"${label(p)}" is a dateTime: compare it with a quoted timestamp`);
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) fail(`"${v}" is not a valid dateTime for "${label(p)}"`);
    return d;
  }
  // An unquoted number compares as its text (legacy unquoted values are tolerated, fixture I08).
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string') fail(`"${label(p)}" is a string: compare it with a quoted value`);
  return f.lower ? searchKey(v) : v;
}

const SCALAR = { gt: 'gt', ge: 'gte', lt: 'lt', le: 'lte', co: 'contains', sw: 'startsWith', ew: 'endsWith' } as const;

function compareField(f: Field, op: CompareOp, v: CompareValue, p: AttrPath): W {
  // `eq null` / `ne null`: absent / present (not in the RFC ABNF's intent, but harmless to honour).
  if (v === null) {
    if (op !== 'eq' && op !== 'ne') fail(`Operator "${op}" needs a non-null value`);
    const present = wrap(f, f.cond(PRESENT));
    return op === 'eq' ? not(present) : present;
  }
  const value = operand(f, v, p);
  if (op === 'eq' || op === 'ne') {
    const eq = wrap(f, f.cond({ op: 'equals', value }));
    return op === 'eq' ? eq : not(eq);
  }
  if (f.type === 'boolean') fail(`Operator "${op}" is not supported on boolean "${label(p)}" (use eq or ne)`);
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  if (f.type === 'date' && substring) fail(`Operator "${op}" is not supported on dateTime "${label(p)}"`);
  // co/sw/ew become SQL LIKE, which SQLite applies case-insensitively and which only the
  // lower-cased *Key columns store wildcard-safe: a case-exact attribute would match differently
  // on each database, so it supports equality and ordering only.
  if (f.type === 'string' && !f.lower && substring) fail(`Operator "${op}" is not supported on case-exact "${label(p)}" (use eq, ne, gt, ge, lt or le)`);
  return wrap(f, f.cond({ op: SCALAR[op], value }));
}

// ---- resolution from the attribute table -------------------------------------------------------

const field = (f: Field): Resolved => ({ k: 'field', field: f });
const names = (rows: readonly AttrRow[]) => rows.map((r) => r.path).join(', ');

function topOf(t: AttrTable, p: AttrPath): AttrRow {
  const r = topRow(t, p.uri, p.attr);
  if (r === 'unknownSchema') fail(`Unknown schema "${p.uri}" in "${label(p)}"`);
  if (r === undefined) fail(`Unknown or unfilterable attribute "${label(p)}"`);
  return r;
}

function leaf(t: AttrTable, r: AttrRow): Resolved {
  return rowField(r) ?? fail(`"${r.path}" is not filterable`);
}

function filterableChildren(t: AttrTable, r: AttrRow): AttrRow[] {
  return childRows(t, r).filter((c) => c.filterable);
}

const multis = new WeakMap<AttrRow, Multi>();

/** A multi-valued attribute: an EXISTS over its element rows, each sub-attribute a field in it. */
function multiOf(t: AttrTable, top: AttrRow): Multi {
  let m = multis.get(top);
  if (!m) multis.set(top, (m = buildMulti(t, top)));
  return m;
}

function buildMulti(t: AttrTable, top: AttrRow): Multi {
  const s = top.storage;
  const wrap =
    s.kind === 'valueRows'
      ? (w: W): W => (w === false ? false : { values: { some: w === true ? { attr: top.name } : { attr: top.name, AND: parts(w, 'AND') } } })
      : s.kind === 'membership'
        ? (w: W): W => (w === false ? false : { [s.relation]: { some: w === true ? {} : w } })
        : undefined;
  if (!wrap) return fail(`"${top.path}" is not a multi-valued attribute: value filters apply to ${names(t.rows.filter((r) => r.multiValued && r.filterable))}`);
  return {
    name: top.name,
    wrap,
    sub: (p) => {
      const c = childRow(t, top, p.attr);
      if (!c?.filterable) fail(`"${top.name}.${p.attr}" is not filterable (filterable: ${names(filterableChildren(t, top))})`);
      return leaf(t, c);
    },
  };
}

function viaMulti(m: Multi, p: AttrPath, forPresent: boolean): Resolved {
  if (p.sub === undefined && forPresent) return { k: 'presence', where: m.wrap(true) };
  const r = m.sub({ attr: p.sub ?? 'value' }, forPresent);
  if (r.k !== 'field') return r;
  const inner = r.field;
  return field({ ...inner, wrap: (w) => m.wrap(inner.wrap ? inner.wrap(w) : w) });
}

/** name, manager, meta: the attribute itself is present when one of its sub-attributes is, and
 * compares as its `value` sub-attribute when it has one (manager). */
function complexField(t: AttrTable, top: AttrRow, p: AttrPath, forPresent: boolean): Resolved {
  if (p.sub === undefined) {
    if (!top.filterable) fail(`"${label(p)}" is not filterable (filterable: ${names(filterableChildren(t, top))})`);
    if (forPresent) return { k: 'presence', where: filterableChildren(t, top).map((c) => present(leaf(t, c))).reduce(or, false) };
    const value = childRow(t, top, 'value');
    if (value?.filterable) return leaf(t, value);
    fail(`"${top.name}" is complex: compare one of its sub-attributes (${names(filterableChildren(t, top))})`);
  }
  const c = childRow(t, top, p.sub);
  if (!c) fail(`"${top.name}" has no sub-attribute "${p.sub}"`);
  if (!c.filterable) fail(`"${c.path}" is not filterable (filterable: ${names(filterableChildren(t, top))})`);
  return leaf(t, c);
}

function present(r: Resolved): W {
  if (r.k === 'const') return true;
  if (r.k === 'presence') return r.where;
  return wrap(r.field, r.field.cond(PRESENT));
}

function resolve(t: AttrTable, p: AttrPath, forPresent: boolean): Resolved {
  const top = topOf(t, p);
  const kind = top.storage.kind;
  if (kind === 'valueRows' || kind === 'membership') return viaMulti(multiOf(t, top), p, forPresent);
  if (kind === 'complex') return complexField(t, top, p, forPresent);
  if (p.sub !== undefined) fail(`"${p.attr}" has no sub-attribute "${p.sub}"`);
  if (!top.filterable) fail(`Unknown or unfilterable attribute "${label(p)}"`);
  return leaf(t, top);
}

function scopeOf(t: AttrTable): Scope {
  return { resolve: (p, forPresent) => resolve(t, p, forPresent), multi: (p) => multiOf(t, topOf(t, p)) };
}

const USER_SCOPE = scopeOf(USER_TABLE);
const GROUP_SCOPE = scopeOf(GROUP_TABLE);

export function userWhere(node: FilterNode): Prisma.ScimUserWhereInput {
  return finish(compile(node, USER_SCOPE)) as Prisma.ScimUserWhereInput;
}

export function groupWhere(node: FilterNode): Prisma.ScimGroupWhereInput {
  return finish(compile(node, GROUP_SCOPE)) as Prisma.ScimGroupWhereInput;
}
