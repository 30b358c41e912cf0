// Attribute definitions (RFC 7643 §7, §8.7.1) as discovery (/Schemas), body mapping (fromScim),
// PATCH target resolution and name canonicalisation read them: the nested form of the rows of
// attributes.ts, which is where attributes are declared.
import { GROUP_ROWS, USER_ROWS, type AttrRow, type AttrSchema, type AttrType, type Mutability, type Returned, type Uniqueness } from './attributes.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './urns.ts';

export type { AttrType, Mutability, Returned, Uniqueness } from './attributes.ts';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

function toDef(r: AttrRow, rows: readonly AttrRow[]): AttrDef {
  const d: AttrDef = {
    name: r.name,
    type: r.type,
    multiValued: r.multiValued,
    description: r.description,
    required: r.required,
    caseExact: r.caseExact,
    mutability: r.mutability,
    returned: r.returned,
    uniqueness: r.uniqueness,
  };
  if (r.canonicalValues) d.canonicalValues = r.canonicalValues;
  if (r.referenceTypes) d.referenceTypes = r.referenceTypes;
  const subs = rows.filter((c) => c.schema === r.schema && c.parent === r.path);
  if (subs.length) d.subAttributes = subs.map((c) => toDef(c, rows));
  return d;
}

function defsOf(rows: readonly AttrRow[], schema: AttrSchema): AttrDef[] {
  return rows.filter((r) => r.schema === schema && r.parent === undefined).map((r) => toDef(r, rows));
}

export const USER_ATTRIBUTES: AttrDef[] = defsOf(USER_ROWS, 'core');
export const ENTERPRISE_ATTRIBUTES: AttrDef[] = defsOf(USER_ROWS, 'enterprise');
export const GROUP_ATTRIBUTES: AttrDef[] = defsOf(GROUP_ROWS, 'core');
/** externalId is a common attribute, declared in both schema documents so that schema-driven
 * clients (the Entra validator flattens /Schemas and looks every mapped attribute up) find it. */
export const EXTERNAL_ID: AttrDef = toDef(USER_ROWS.find((r) => r.schema === 'common' && r.path === 'externalId')!, USER_ROWS);

/** Common attributes (RFC 7643 §3.1) handled by the mappers, not by the schema documents. */
export const READ_ONLY_COMMON = ['id', 'meta', 'schemas'];

export type SchemaId = typeof USER_URN | typeof ENTERPRISE_URN | typeof GROUP_URN;

export function findAttr(defs: AttrDef[], name: string): AttrDef | undefined {
  const n = name.toLowerCase();
  return defs.find((d) => d.name.toLowerCase() === n);
}

export function findSub(def: AttrDef, name: string): AttrDef | undefined {
  return def.subAttributes ? findAttr(def.subAttributes, name) : undefined;
}

/** A User attribute resolved to its home: the core document or the enterprise extension object. */
export interface ResolvedAttr {
  schema: typeof USER_URN | typeof ENTERPRISE_URN;
  def: AttrDef;
}

/** Resolves a User attribute name, optionally URN-qualified, case-insensitively (RFC 7643 §2.1:
 * attribute names are case-insensitive). Enterprise attributes also resolve without their URN
 * (names do not collide with core; older Entra apps send them at the top level, fixture E08). */
export function resolveUserAttr(uri: string | undefined, name: string): ResolvedAttr | undefined {
  const u = uri?.toLowerCase();
  if (u === undefined || u === USER_URN.toLowerCase()) {
    const core = findAttr(USER_ATTRIBUTES, name);
    if (core) return { schema: USER_URN, def: core };
  }
  if (u === undefined || u === ENTERPRISE_URN.toLowerCase()) {
    const ent = findAttr(ENTERPRISE_ATTRIBUTES, name);
    if (ent) return { schema: ENTERPRISE_URN, def: ent };
  }
  return undefined;
}

export function resolveGroupAttr(uri: string | undefined, name: string): AttrDef | undefined {
  if (uri !== undefined && uri.toLowerCase() !== GROUP_URN.toLowerCase()) return undefined;
  return findAttr(GROUP_ATTRIBUTES, name);
}
