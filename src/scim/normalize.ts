// Entra ID quirks, normalised at the parsing edge: one small function per quirk, each stating the
// Entra behaviour and the entra-cases.json fixtures it serves. Used by resources/
// (POST/PUT bodies) and patch/ (PATCH operations). Pure.
import { InvalidValueError } from './errors.ts';
import { ENTERPRISE_URN } from './resources/urns.ts';
import { checkIdentifier, checkMemberCount } from './limits.ts';
import type { MemberRef } from './membership.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

/** `op` arrives as "Add"/"Replace"/"Remove" (default dialect) or lower-case (flag dialect).
 * Fixtures F01, F03, F05, G01, H08, H14 (capitalised), F11, H09, H16 (lower-case). */
export function normalizeOpName(op: unknown): PatchOpName | undefined {
  if (typeof op !== 'string') return undefined;
  const o = op.trim().toLowerCase();
  return o === 'add' || o === 'replace' || o === 'remove' ? o : undefined;
}

/** Booleans arrive as strings "True"/"False" (any case) from Entra's Switch() mapping for
 * `active`, and inside filters (`roles[primary eq "True"]`). Always stored as JSON booleans.
 * Fixtures E10 (POST), F33, G01, G04, G10, G12 (PATCH). */
export function coerceBoolean(v: unknown, attr: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  throw new InvalidValueError(`Attribute "${attr}" must be a boolean (true or false)`);
}

/** Explicit `null` attributes in a POST body (`addresses`, `phoneNumbers`, `manager`,
 * top-level `department`) mean "absent". Fixture E08. */
export function isAbsent(v: unknown): boolean {
  return v === null || v === undefined;
}

/** A PATCH value of "" or null (or an empty array/object) clears the attribute
 * (RFC 7644 §3.5.2.3 "unassigned"). Fixtures F25, F29, F31. */
export function isClearingValue(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Manager arrives as a bare id string (current Entra and validator), as `{value}`
 * (older validator), or as a one-element array of `{$ref, value}` (legacy docs); it is always
 * stored as `{value}` so what we return equals what Entra compares. "" means remove.
 * Fixtures F18 (string), F21 ({value}), F23 (array), F25 (""), F27 (remove). */
export function unwrapManager(v: unknown): unknown {
  let m = v;
  if (Array.isArray(m)) {
    if (m.length === 0) return undefined;
    if (m.length > 1) throw new InvalidValueError('Attribute "manager" is single-valued: at most one manager');
    m = m[0];
  }
  if (isAbsent(m) || m === '') return undefined;
  if (typeof m === 'string') return { value: m };
  return m;
}

/** A multi-valued attribute sent as a single object (or value) is wrapped into an array: a
 * tolerance for clients that send one element bare (RFC 7643 §2.4 defines an array). */
export function wrapMultiValued(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Attribute and sub-attribute names in any case (`Value`, `Formatted`, `Manager`) resolve to
 * the canonical key of an object (RFC 7643 §2.1). Fixture F15 (`emails[...].Value`). */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const n = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === n);
}

/** Client-sent `id`, `meta` and `schemas` in a resource body are ignored (the server owns
 * them). Fixtures E02, E08, H02, H25 (`meta: {resourceType}` sent on create). */
export function isServerOwnedKey(key: string): boolean {
  const k = key.toLowerCase();
  return k === 'id' || k === 'meta' || k === 'schemas';
}

/** Keys that name the enterprise extension. Anything else URN-shaped (Microsoft's ADSCIM
 * URI, the malformed `…enterprise:2.0User`) is an unknown schema and ignored. Fixtures E08, H02. */
export function isEnterpriseKey(key: string): boolean {
  return key.toLowerCase() === ENTERPRISE_URN.toLowerCase();
}

export function isSchemaLikeKey(key: string): boolean {
  return /^urn:/i.test(key) || /^https?:\/\//i.test(key);
}

/** Legacy Entra sample (2016 docs, fixture E08): enterprise attributes (`department`, `manager`,
 * `employeeNumber`…) sent at the top level without their URN are moved into the extension. The
 * caller resolves names; this only merges, letting explicit extension values win. */
export function liftEnterprise(lifted: Record<string, unknown>, explicit: Record<string, unknown>): Record<string, unknown> {
  return { ...lifted, ...explicit };
}

export type { MemberRef };

/** Group member values: `[{"$ref":null,"value":"…"}]` (default dialect, H08, H14),
 * `[{"value":"…"}]` (flag dialect, H09, H18), a single object, or a bare id string. `type` is
 * taken when given ("User"/"Group", any case) or inferred from a `$ref` to /Groups/. */
export function memberRefs(v: unknown, attr = 'members'): MemberRef[] {
  if (isAbsent(v)) return [];
  const out: MemberRef[] = [];
  const seen = new Set<string>();
  const list = wrapMultiValued(v);
  checkMemberCount(list.length);
  for (const el of list) {
    if (isAbsent(el)) continue;
    const obj = typeof el === 'string' ? { value: el } : el;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidValueError(`Each "${attr}" element must be an object with a "value"`);
    const o = obj as Record<string, unknown>;
    const vk = findKey(o, 'value');
    const value = vk === undefined ? undefined : o[vk];
    if (typeof value !== 'string' || value.trim() === '') throw new InvalidValueError(`Each "${attr}" element needs a non-empty string "value" (the member's id)`);
    checkIdentifier(value, `${attr}.value`);
    const tk = findKey(o, 'type');
    const rk = findKey(o, '$ref');
    let type: MemberRef['type'];
    const t = tk === undefined ? undefined : o[tk];
    if (typeof t === 'string' && t.toLowerCase() === 'user') type = 'User';
    else if (typeof t === 'string' && t.toLowerCase() === 'group') type = 'Group';
    else if (rk !== undefined && typeof o[rk] === 'string' && /\/Groups\//i.test(o[rk] as string)) type = 'Group';
    if (seen.has(value)) continue;
    seen.add(value);
    out.push(type ? { value, type } : { value });
  }
  return out;
}
