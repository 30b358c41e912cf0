// User resource mapping (RFC 7643 §4.1, §4.3): request body → stored document, stored document →
// wire resource, stored document → derived query columns. The stored document holds every SCIM
// attribute as sent (canonical names), minus id/meta/schemas; enterprise attributes live under
// the extension URN key.
import { InvalidSyntaxError, InvalidValueError } from '../errors.ts';
import { isAbsent, isEnterpriseKey, isSchemaLikeKey, isServerOwnedKey, liftEnterprise } from '../normalize.ts';
import { ENTERPRISE_ATTRIBUTES, findAttr, resolveUserAttr } from './schema-defs.ts';
import { ENTERPRISE_URN, USER_URN } from './urns.ts';
import { USER_ROWS } from './attributes.ts';
import { resourceColumns, valueRowAttrs, valueRows, type Columns } from './columns.ts';
import { isPlainObject, normalizeValue, type ScimDoc } from './values.ts';

export type { Columns } from './columns.ts';
import { checkIdentifier } from '../limits.ts';

export type { ScimDoc } from './values.ts';

/** Multi-valued User attributes indexed one row per element in ScimUserValue. */
export const USER_VALUE_ATTRS: readonly string[] = valueRowAttrs(USER_ROWS);

function readExternalId(v: unknown): string | undefined {
  if (isAbsent(v) || v === '') return undefined;
  if (typeof v !== 'string') throw new InvalidValueError('Attribute "externalId" must be a string');
  return checkIdentifier(v, 'externalId');
}

/**
 * POST/PUT body → stored document. Entra tolerance: id/meta/schemas and unknown schema URNs are
 * ignored (fixtures E02, E08), null means absent (E08), "True"/"False" become booleans (E10), names
 * resolve case-insensitively (F15), top-level enterprise attributes move into the extension (E08),
 * manager shapes are unwrapped (E08, F18, F21, F23), readOnly `groups` and unknown attributes are
 * ignored.
 * userName is required: missing/empty → 400 invalidValue (fixture E12).
 */
export function userFromScim(body: unknown): ScimDoc {
  if (!isPlainObject(body)) throw new InvalidSyntaxError('A User must be a JSON object');
  const doc: ScimDoc = {};
  const lifted: ScimDoc = {};
  let explicit: ScimDoc = {};
  for (const [key, v] of Object.entries(body)) {
    if (isServerOwnedKey(key)) continue;
    if (key.toLowerCase() === 'externalid') {
      const x = readExternalId(v);
      if (x === undefined) delete doc.externalId;
      else doc.externalId = x;
      continue;
    }
    if (isEnterpriseKey(key)) {
      if (isAbsent(v)) continue;
      if (!isPlainObject(v)) throw new InvalidValueError(`"${ENTERPRISE_URN}" must be an object`);
      explicit = enterpriseFrom(v);
      continue;
    }
    if (isSchemaLikeKey(key)) continue;
    const r = resolveUserAttr(undefined, key);
    if (!r || r.def.mutability === 'readOnly') continue;
    const target = r.schema === ENTERPRISE_URN ? lifted : doc;
    const label = r.schema === ENTERPRISE_URN ? `${ENTERPRISE_URN}:${r.def.name}` : r.def.name;
    const n = normalizeValue(r.def, v, label);
    if (n === undefined) delete target[r.def.name];
    else target[r.def.name] = n;
  }
  const ext = liftEnterprise(lifted, explicit);
  if (Object.keys(ext).length) doc[ENTERPRISE_URN] = ext;
  requireUserName(doc);
  return doc;
}

function enterpriseFrom(obj: Record<string, unknown>): ScimDoc {
  const out: ScimDoc = {};
  for (const [k, v] of Object.entries(obj)) {
    const def = findAttr(ENTERPRISE_ATTRIBUTES, k);
    if (!def || def.mutability === 'readOnly') continue;
    const n = normalizeValue(def, v, `${ENTERPRISE_URN}:${def.name}`);
    if (n !== undefined) out[def.name] = n;
  }
  return out;
}

export function requireUserName(doc: ScimDoc): void {
  if (typeof doc.userName !== 'string' || doc.userName.trim() === '') {
    throw new InvalidValueError('Attribute "userName" is required and must be a non-empty string');
  }
}

export interface UserRow {
  id: string;
  data: ScimDoc;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface UserRenderCtx {
  baseUrl: string;
  groups?: { value: string; display?: string }[];
  managerDisplayName?: string;
}

/** The enterprise extension when it holds attributes; otherwise neither it nor its URN in
 * `schemas` is returned. */
function enterpriseOf(data: ScimDoc): ScimDoc | undefined {
  const ext = data[ENTERPRISE_URN];
  if (!isPlainObject(ext)) return undefined;
  for (const _ in ext) return ext;
  return undefined;
}

/** The extension with manager as {value, $ref, displayName}: Entra compares `value` with the id it
 * sent (F19). A new object: the stored document is not changed. */
function enterpriseOut(ext: ScimDoc, ctx: UserRenderCtx): ScimDoc {
  const m = ext.manager;
  if (!isPlainObject(m) || typeof m.value !== 'string') return ext;
  const manager = { value: m.value, $ref: `${ctx.baseUrl}/Users/${m.value}`, ...(ctx.managerDisplayName ? { displayName: ctx.managerDisplayName } : {}) };
  return { ...ext, manager };
}

/**
 * Stored document → full User resource. The resource shares the document's attribute values
 * instead of deep-copying them: a page of 100 spent ~10 % of its CPU in structuredClone of
 * documents just parsed from their rows, which nothing else holds. Whoever edits a rendered
 * resource copies it first (project() does).
 */
export function userToScim(row: UserRow, ctx: UserRenderCtx): Record<string, unknown> {
  const data = row.data;
  const ext = enterpriseOf(data);
  const out: Record<string, unknown> = { schemas: ext ? [USER_URN, ENTERPRISE_URN] : [USER_URN], id: row.id };
  if (data.externalId !== undefined) out.externalId = data.externalId;
  out.meta = {
    resourceType: 'User',
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: `${ctx.baseUrl}/Users/${row.id}`,
    version: `W/"${row.version}"`,
  };
  for (const k of Object.keys(data)) {
    if (k === ENTERPRISE_URN || k === 'externalId') continue;
    // A key "__proto__" read from JSON is an own property; plain assignment would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: data[k], enumerable: true, writable: true, configurable: true });
    else out[k] = data[k];
  }
  if (ctx.groups?.length) {
    out.groups = ctx.groups.map((g) => ({
      value: g.value,
      $ref: `${ctx.baseUrl}/Groups/${g.value}`,
      ...(g.display !== undefined && g.display !== '' ? { display: g.display } : {}),
      type: 'direct',
    }));
  }
  if (ext) out[ENTERPRISE_URN] = enterpriseOut(ext, ctx);
  return out;
}

/** Stored document → derived query columns (filters, sorting and uniqueness run in the database):
 * the resource's own columns and one ScimUserValue row per element of a multi-valued attribute. */
export function userIndex(doc: ScimDoc): { columns: Columns; values: Columns[] } {
  return { columns: resourceColumns(USER_ROWS, doc), values: valueRows(USER_ROWS, doc) };
}
