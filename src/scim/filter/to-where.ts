// Filter AST → Prisma where input (the caller ANDs { tenantId }). Pure: only Prisma *types*.
//
// Semantics (RFC 7644 §3.4.2.2):
// - caseExact:false attributes are compared on lower-cased *Key columns with a lower-cased operand;
//   id, externalId, manager and member ids are case-exact.
// - Positive comparisons on nullable columns carry `not: null`, so that under SQL three-valued
//   logic NOT(...) also matches rows where the attribute is absent: `not (title eq "x")` matches
//   users without a title. `ne` is NOT(eq): it matches absent values.
// - Multi-valued attributes (emails, phoneNumbers, …) become one correlated EXISTS over
//   ScimUserValue (`values: { some }`); `emails[type eq "work" and value co "@x"]` keeps both
//   conditions on the same element. On a multi-valued attribute `ne` means "no element equals".
// - `emails eq x` means emails.value; `groups`/`members` compare their value (a member id).
// - Booleans support eq/ne only ("True"/"False" strings accepted, Q2); dates (meta.created,
//   meta.lastModified) compare as instants; co/sw/ew on them is invalidFilter.
// - Unknown attributes, unsupported operator/attribute pairs → invalidFilter, never ignored.
// - `eq` on userName, externalId, displayName, id and emails.value hit indexed equality
//   (userNameKey, externalId, displayNameKey, primary key, ScimUserValue(tenantId, attr, valueKey)).
// - Unknown sortBy → 400 invalidValue (RFC 7644 leaves it open; failing loudly beats a silent
//   default order). Sorting always ends with id for a stable page order.
import type { Prisma } from '../../db/client.ts';
import { InvalidFilterError, InvalidValueError } from '../errors.ts';
import { coerceBoolean } from '../normalize.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from '../resources/urns.ts';
import { searchKey } from '../resources/search-key.ts';
import { lookupTable } from '../lookup-table.ts';
import { isAttrName } from './attr-path.ts';
import type { AttrPath, CompareOp, CompareValue, FilterNode } from './ast.ts';

type Where = Record<string, unknown>;
type W = boolean | Where;

/** One comparison on a field: presence, or a Prisma scalar filter operator with its operand. */
type Cmp = { op: 'present' } | { op: 'equals' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'startsWith' | 'endsWith'; value: string | boolean | Date };
interface Field {
  type: 'string' | 'boolean' | 'date';
  lower: boolean;
  cond: (c: Cmp) => W;
  wrap?: (w: W) => W;
  /** The resource's own column the field reads, when it is one (what sortBy may name). */
  column?: string;
  nullable?: boolean;
}
type Resolved = { k: 'field'; field: Field } | { k: 'presence'; where: W } | { k: 'const'; value: string };
interface Multi {
  name: string;
  wrap: (w: W) => W;
  sub: (path: AttrPath, forPresent: boolean) => Resolved;
}
interface Scope {
  resolve: (path: AttrPath, forPresent: boolean) => Resolved;
  multi: (path: AttrPath) => Multi;
}

// ---- boolean algebra over W (true/false short-circuit, flattened AND/OR) -----------------------

function and(a: W, b: W): W {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { AND: [...parts(a, 'AND'), ...parts(b, 'AND')] };
}
function or(a: W, b: W): W {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { OR: [...parts(a, 'OR'), ...parts(b, 'OR')] };
}
function not(a: W): W {
  return typeof a === 'boolean' ? !a : { NOT: a };
}
function parts(w: Where, k: 'AND' | 'OR'): Where[] {
  const keys = Object.keys(w);
  return keys.length === 1 && keys[0] === k && Array.isArray(w[k]) ? (w[k] as Where[]) : [w];
}
const FALSE_WHERE: Where = { id: { in: [] } };
function finish(w: W): Where {
  return w === true ? {} : w === false ? FALSE_WHERE : w;
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
      if (r.k === 'const') return true;
      if (r.k === 'presence') return r.where;
      return wrap(r.field, r.field.cond(PRESENT));
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
  // Legacy unquoted numeric values (Q15) compare as their text.
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string') fail(`"${label(p)}" is a string: compare it with a quoted value`);
  return f.lower ? searchKey(v) : v;
}

const PRESENT: Cmp = { op: 'present' };
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

// ---- field constructors ----------------------------------------------------------------------------

/** A comparison on one column. On a nullable column a positive comparison also requires a value
 * (`not: null`), so that its negation matches the rows where the attribute is absent (SQL's
 * three-valued logic would drop them); a NOT NULL column takes no such guard, and Prisma rejects
 * `not: null` on one. */
function onColumn(column: string, nullable: boolean): (c: Cmp) => W {
  return (c) => {
    if (c.op === 'present') return nullable ? { [column]: { not: null } } : true;
    return { [column]: nullable ? { [c.op]: c.value, not: null } : { [c.op]: c.value } };
  };
}

/** A comparison on a column of a to-one relation; `fk` holds an optional relation's key (present
 * ⇔ set), null for a required relation. */
function onRelation(relation: string, fk: string | null, cond: (c: Cmp) => W): (c: Cmp) => W {
  return (c) => {
    const w = cond(c);
    if (w === true) return fk === null ? true : { [fk]: { not: null } };
    return w === false ? false : { [relation]: w };
  };
}

function col(column: string, type: Field['type'], lower: boolean, nullable: boolean): Field {
  return { type, lower, cond: onColumn(column, nullable), column, nullable };
}
const str = (column: string, nullable = true) => col(column, 'string', true, nullable);
const exact = (column: string, nullable = true) => col(column, 'string', false, nullable);
const field = (f: Field): Resolved => ({ k: 'field', field: f });

function meta(p: AttrPath, resourceType: 'User' | 'Group'): Resolved {
  const sub = p.sub?.toLowerCase();
  if (sub === 'created') return field(col('createdAt', 'date', false, false));
  if (sub === 'lastmodified') return field(col('updatedAt', 'date', false, false));
  if (sub === 'resourcetype') return { k: 'const', value: resourceType };
  return fail(`"${label(p)}" is not filterable (meta.created, meta.lastModified and meta.resourceType are)`);
}

function noSub(p: AttrPath, r: Resolved): Resolved {
  if (p.sub !== undefined) fail(`"${p.attr}" has no sub-attribute "${p.sub}"`);
  return r;
}

// ---- Users -------------------------------------------------------------------------------------------

const USER_SIMPLE: Readonly<Record<string, Field>> = lookupTable({
  username: str('userNameKey', false),
  displayname: str('displayNameKey'),
  nickname: str('nickNameKey'),
  title: str('titleKey'),
  usertype: str('userTypeKey'),
  preferredlanguage: str('preferredLanguageKey'),
  locale: str('localeKey'),
  timezone: str('timezoneKey'),
  profileurl: str('profileUrlKey'),
  active: col('active', 'boolean', false, false),
});
const NAME_SUBS: Readonly<Record<string, string>> = lookupTable({
  givenname: 'givenNameKey',
  familyname: 'familyNameKey',
  middlename: 'middleNameKey',
  formatted: 'formattedNameKey',
  honorificprefix: 'honorificPrefixKey',
  honorificsuffix: 'honorificSuffixKey',
});
const ENTERPRISE_SIMPLE: Readonly<Record<string, string>> = lookupTable({
  employeenumber: 'employeeNumberKey',
  costcenter: 'costCenterKey',
  organization: 'organizationKey',
  division: 'divisionKey',
  department: 'departmentKey',
});
/** Multi-valued User attributes stored as ScimUserValue rows, by lower-cased name. */
export const VALUE_ATTRS: Readonly<Record<string, string>> = lookupTable({
  emails: 'emails',
  phonenumbers: 'phoneNumbers',
  ims: 'ims',
  photos: 'photos',
  addresses: 'addresses',
  entitlements: 'entitlements',
  roles: 'roles',
  x509certificates: 'x509Certificates',
});
const VALUE_SUBS: Readonly<Record<string, string>> = lookupTable({ value: 'valueKey', type: 'typeKey', display: 'displayKey' });
const ADDRESS_SUBS: Readonly<Record<string, string>> = lookupTable({
  formatted: 'formattedKey',
  streetaddress: 'streetKey',
  locality: 'localityKey',
  region: 'regionKey',
  postalcode: 'postalCodeKey',
  country: 'countryKey',
  type: 'typeKey',
});

function userValueMulti(attr: string): Multi {
  return {
    name: attr,
    wrap: (w) => (w === false ? false : { values: { some: w === true ? { attr } : { attr, AND: parts(w, 'AND') } } }),
    sub: (p) => {
      const s = p.attr.toLowerCase();
      if (s === 'primary') return field(col('primary', 'boolean', false, false));
      const subs = attr === 'addresses' ? ADDRESS_SUBS : VALUE_SUBS;
      const column = subs[s];
      if (!column || (attr === 'x509Certificates' && s === 'value')) return fail(`"${attr}.${p.attr}" is not filterable`);
      return field(str(column));
    },
  };
}

const USER_GROUPS: Multi = {
  name: 'groups',
  wrap: (w) => (w === false ? false : { memberships: { some: w === true ? {} : w } }),
  sub: (p) => {
    const s = p.attr.toLowerCase();
    if (s === 'value') return field(exact('groupId', false));
    if (s === 'display') return field({ type: 'string', lower: true, cond: onRelation('group', null, onColumn('displayNameKey', false)) });
    return fail(`"groups.${p.attr}" is not filterable (groups.value and groups.display are)`);
  },
};

function userMulti(p: AttrPath): Multi {
  const a = p.attr.toLowerCase();
  const u = p.uri?.toLowerCase();
  if (u !== undefined && u !== USER_URN.toLowerCase()) fail(`"${label(p)}" is not a multi-valued attribute`);
  if (VALUE_ATTRS[a]) return userValueMulti(VALUE_ATTRS[a]);
  if (a === 'groups') return USER_GROUPS;
  return fail(`"${label(p)}" is not a multi-valued attribute: value filters apply to emails, phoneNumbers, addresses, groups…`);
}

function viaMulti(m: Multi, p: AttrPath, forPresent: boolean): Resolved {
  if (p.sub === undefined && forPresent) return { k: 'presence', where: m.wrap(true) };
  const r = m.sub({ attr: p.sub ?? 'value' }, forPresent);
  if (r.k !== 'field') return r;
  const inner = r.field;
  return field({ ...inner, wrap: (w) => m.wrap(inner.wrap ? inner.wrap(w) : w) });
}

function userResolve(p: AttrPath, forPresent: boolean): Resolved {
  const a = p.attr.toLowerCase();
  const u = p.uri?.toLowerCase();
  const core = u === undefined || u === USER_URN.toLowerCase();
  const ent = u === undefined || u === ENTERPRISE_URN.toLowerCase();
  if (u !== undefined && !core && !ent) fail(`Unknown schema "${p.uri}" in "${label(p)}"`);
  if (core) {
    if (a === 'id') return noSub(p, field(exact('id', false)));
    if (a === 'externalid') return noSub(p, field(exact('externalId')));
    if (a === 'meta') return meta(p, 'User');
    if (USER_SIMPLE[a]) return noSub(p, field(USER_SIMPLE[a]));
    if (a === 'name') {
      if (p.sub === undefined) {
        if (!forPresent) fail('"name" is complex: compare one of its sub-attributes (name.givenName, …)');
        return { k: 'presence', where: Object.values(NAME_SUBS).map((c) => ({ [c]: { not: null } }) as W).reduce(or, false) };
      }
      const c = NAME_SUBS[p.sub.toLowerCase()];
      if (!c) fail(`"name" has no sub-attribute "${p.sub}"`);
      return field(str(c));
    }
    if (VALUE_ATTRS[a] || a === 'groups') return viaMulti(userMulti({ attr: p.attr }), p, forPresent);
  }
  if (ent) {
    if (ENTERPRISE_SIMPLE[a]) return noSub(p, field(str(ENTERPRISE_SIMPLE[a])));
    if (a === 'manager') {
      if (p.sub === undefined || p.sub.toLowerCase() === 'value') return field(exact('managerId'));
      return fail(`"manager.${p.sub}" is not filterable (manager and manager.value are)`);
    }
  }
  return fail(`Unknown or unfilterable attribute "${label(p)}"`);
}

const USER_SCOPE: Scope = { resolve: userResolve, multi: userMulti };

export function userWhere(node: FilterNode): Prisma.ScimUserWhereInput {
  return finish(compile(node, USER_SCOPE)) as Prisma.ScimUserWhereInput;
}

// ---- Groups ------------------------------------------------------------------------------------------

const GROUP_MEMBERS: Multi = {
  name: 'members',
  wrap: (w) => (w === false ? false : { members: { some: w === true ? {} : w } }),
  sub: (p) => {
    const s = p.attr.toLowerCase();
    if (s === 'value') {
      const user = onColumn('userId', true);
      const group = onColumn('memberGroupId', true);
      return field({ type: 'string', lower: false, cond: (c) => or(user(c), group(c)) });
    }
    if (s === 'display') {
      // A member User's displayName may be absent; a member Group's never is.
      const user = onRelation('user', 'userId', onColumn('displayNameKey', true));
      const group = onRelation('memberGroup', 'memberGroupId', onColumn('displayNameKey', false));
      return field({ type: 'string', lower: true, cond: (c) => or(user(c), group(c)) });
    }
    if (s === 'type') {
      // "User" / "Group" (case-insensitive) → which id column is set; every member has a type.
      return field({
        type: 'string',
        lower: true,
        cond: (c) => {
          if (c.op === 'present') return true;
          if (c.op !== 'equals') fail('"members.type" supports eq and ne only');
          return c.value === 'user' ? { userId: { not: null } } : c.value === 'group' ? { memberGroupId: { not: null } } : false;
        },
      });
    }
    return fail(`"members.${p.attr}" is not filterable (members.value, members.display and members.type are)`);
  },
};

function groupMulti(p: AttrPath): Multi {
  const u = p.uri?.toLowerCase();
  if (u !== undefined && u !== GROUP_URN.toLowerCase()) fail(`Unknown schema "${p.uri}" in "${label(p)}"`);
  if (p.attr.toLowerCase() === 'members') return GROUP_MEMBERS;
  return fail(`"${label(p)}" is not a multi-valued attribute (members is)`);
}

function groupResolve(p: AttrPath, forPresent: boolean): Resolved {
  const a = p.attr.toLowerCase();
  const u = p.uri?.toLowerCase();
  if (u !== undefined && u !== GROUP_URN.toLowerCase()) fail(`Unknown schema "${p.uri}" in "${label(p)}"`);
  if (a === 'id') return noSub(p, field(exact('id', false)));
  if (a === 'externalid') return noSub(p, field(exact('externalId')));
  if (a === 'displayname') return noSub(p, field(str('displayNameKey', false)));
  if (a === 'meta') return meta(p, 'Group');
  if (a === 'members') return viaMulti(GROUP_MEMBERS, p, forPresent);
  return fail(`Unknown or unfilterable attribute "${label(p)}"`);
}

const GROUP_SCOPE: Scope = { resolve: groupResolve, multi: groupMulti };

export function groupWhere(node: FilterNode): Prisma.ScimGroupWhereInput {
  return finish(compile(node, GROUP_SCOPE)) as Prisma.ScimGroupWhereInput;
}

// ---- Sorting (RFC 7644 §3.4.2.3) ---------------------------------------------------------------------

type Order = Record<string, unknown>;

function direction(sortOrder: string | undefined): 'asc' | 'desc' {
  if (sortOrder === undefined || sortOrder === '') return 'asc';
  const s = sortOrder.toLowerCase();
  if (s === 'ascending') return 'asc';
  if (s === 'descending') return 'desc';
  throw new InvalidValueError('sortOrder must be "ascending" or "descending"');
}

function sortColumn(sortBy: string, scope: Scope): { column: string; nullable: boolean } {
  let r: Resolved;
  try {
    r = scope.resolve(parseSortPath(sortBy), false);
  } catch {
    throw new InvalidValueError(`sortBy "${sortBy}" is not a sortable attribute`);
  }
  if (r.k !== 'field' || r.field.wrap || r.field.column === undefined) throw new InvalidValueError(`sortBy "${sortBy}" is not a sortable attribute`);
  return { column: r.field.column, nullable: r.field.nullable ?? false };
}

function parseSortPath(s: string): AttrPath {
  const text = s.trim();
  const lower = text.toLowerCase();
  for (const urn of [ENTERPRISE_URN, USER_URN, GROUP_URN]) {
    if (lower.startsWith(urn.toLowerCase() + ':')) {
      const [attr, sub] = text.slice(urn.length + 1).split('.');
      return { uri: urn, attr, ...(sub ? { sub } : {}) };
    }
  }
  const [attr, sub, extra] = text.split('.');
  if (!attr || extra !== undefined || !isAttrName(attr) || (sub !== undefined && !isAttrName(sub))) throw new Error('bad path');
  return { attr, ...(sub ? { sub } : {}) };
}

function orderBy(sortBy: string | undefined, sortOrder: string | undefined, scope: Scope): Order[] {
  const dir = direction(sortOrder);
  if (sortBy === undefined || sortBy.trim() === '') return [{ createdAt: dir }, { id: dir }];
  const { column, nullable } = sortColumn(sortBy, scope);
  if (column === 'id') return [{ id: dir }];
  return [{ [column]: nullable ? { sort: dir, nulls: 'last' } : dir }, { id: 'asc' }];
}

export function userOrderBy(sortBy: string | undefined, sortOrder: string | undefined): Prisma.ScimUserOrderByWithRelationInput[] {
  return orderBy(sortBy, sortOrder, USER_SCOPE) as Prisma.ScimUserOrderByWithRelationInput[];
}

export function groupOrderBy(sortBy: string | undefined, sortOrder: string | undefined): Prisma.ScimGroupOrderByWithRelationInput[] {
  return orderBy(sortBy, sortOrder, GROUP_SCOPE) as Prisma.ScimGroupOrderByWithRelationInput[];
}
