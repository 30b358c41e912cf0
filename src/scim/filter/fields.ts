// One attribute row of resources/attributes.ts → how a comparison on it becomes a Prisma where
// input, from its storage: a column of the resource, a ScimUserValue column (inside the element's
// EXISTS), a ScimMember column or a column of the member row's User/Group, or a constant.
import { InvalidFilterError } from '../errors.ts';
import type { AttrRow, MemberSide, Resource } from '../resources/attributes.ts';
import { or, type W } from './where-algebra.ts';

/** One comparison on a field: presence, or a Prisma scalar filter operator with its operand. */
export type Cmp = { op: 'present' } | { op: 'equals' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'startsWith' | 'endsWith'; value: string | boolean | Date };
export const PRESENT: Cmp = { op: 'present' };

export interface Field {
  type: 'string' | 'boolean' | 'date';
  /** Compared on a lower-cased key column with a lower-cased operand (caseExact:false). */
  lower: boolean;
  cond: (c: Cmp) => W;
  wrap?: (w: W) => W;
}
export type Resolved = { k: 'field'; field: Field } | { k: 'presence'; where: W } | { k: 'const'; value: string };

/** A comparison on one column. On a nullable column a positive comparison also requires a value
 * (`not: null`), so that its negation matches the rows where the attribute is absent (SQL's
 * three-valued logic would drop them); a NOT NULL column takes no such guard, and Prisma rejects
 * `not: null` on one. */
export function onColumn(column: string, nullable: boolean): (c: Cmp) => W {
  return (c) => {
    if (c.op === 'present') return nullable ? { [column]: { not: null } } : true;
    // Equality, by far the most frequent, as a literal: computed keys take a slower path in V8.
    if (c.op === 'equals') return { [column]: nullable ? { equals: c.value, not: null } : { equals: c.value } };
    return { [column]: nullable ? { [c.op]: c.value, not: null } : { [c.op]: c.value } };
  };
}

/** A comparison on a column of a to-one relation; `key` holds an optional relation's key (present
 * ⇔ set), null for a required relation. */
function onRelation(relation: string, key: string | null, cond: (c: Cmp) => W): (c: Cmp) => W {
  return (c) => {
    const w = cond(c);
    if (w === true) return key === null ? true : { [key]: { not: null } };
    return w === false ? false : { [relation]: w };
  };
}

function onSide(s: MemberSide): (c: Cmp) => W {
  const col = onColumn(s.column, s.nullable);
  return s.via ? onRelation(s.via.relation, s.via.key, col) : col;
}

/** "User" / "Group" (case-insensitive) → which member key column is set; every member has one. */
function onMemberType(byType: Readonly<Record<string, string>>, label: string): (c: Cmp) => W {
  return (c) => {
    if (c.op === 'present') return true;
    if (c.op !== 'equals') throw new InvalidFilterError(`"${label}" supports eq and ne only`);
    const column = typeof c.value === 'string' && Object.hasOwn(byType, c.value) ? byType[c.value] : undefined;
    return column === undefined ? false : { [column]: { not: null } };
  };
}

function kindOf(r: AttrRow): Field['type'] {
  return r.type === 'boolean' ? 'boolean' : r.type === 'dateTime' ? 'date' : 'string';
}

const fields = new WeakMap<AttrRow, Resolved | undefined>();

/** The field of a leaf row (not complex, not multi-valued); undefined when it is not queryable.
 * Built once per row: a field holds no state of its own. */
export function rowField(r: AttrRow): Resolved | undefined {
  if (!fields.has(r)) fields.set(r, buildField(r, r.resource));
  return fields.get(r);
}

function buildField(r: AttrRow, resource: Resource): Resolved | undefined {
  const base = { type: kindOf(r), lower: kindOf(r) === 'string' && !r.caseExact };
  const s = r.storage;
  switch (s.kind) {
    case 'column':
    case 'valueColumn':
      return { k: 'field', field: { ...base, cond: onColumn(s.column, s.nullable) } };
    case 'server':
      return { k: 'field', field: { ...base, cond: onColumn(s.column, false) } };
    case 'resourceType':
      return { k: 'const', value: resource };
    case 'member': {
      const sides = s.sides.map(onSide);
      return { k: 'field', field: { ...base, cond: (c) => sides.map((f) => f(c)).reduce(or, false) } };
    }
    case 'memberType':
      return { k: 'field', field: { ...base, lower: true, cond: onMemberType(s.byType, r.path) } };
    default:
      return undefined;
  }
}
