// Attribute value normalisation by schema type, shared by POST/PUT mapping and PATCH: returns the
// value to store, or undefined for "absent". Values are stored exactly as sent (no email or
// phone reformatting, case preserved: Entra compares what it reads back with what it sent); only types are checked and Entra's shapes normalised.
import { InvalidValueError } from '../errors.ts';
import { coerceBoolean, findKey, isAbsent, unwrapManager, wrapMultiValued } from '../normalize.ts';
import { findSub, type AttrDef } from './schema-defs.ts';
import { MAX_IDENTIFIER_CHARS, checkString, checkValueCount, isIdentifier } from '../limits.ts';

export type ScimDoc = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A simple (non-complex) value. "" is treated as absent. */
export function normalizeSimple(def: AttrDef, v: unknown, label: string): unknown {
  if (isAbsent(v)) return undefined;
  switch (def.type) {
    case 'boolean':
      return coerceBoolean(v, label);
    case 'decimal':
    case 'integer':
      if (typeof v !== 'number' || !Number.isFinite(v) || (def.type === 'integer' && !Number.isInteger(v))) {
        throw new InvalidValueError(`Attribute "${label}" must be ${def.type === 'integer' ? 'an integer' : 'a number'}`);
      }
      return v;
    case 'dateTime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new InvalidValueError(`Attribute "${label}" must be an xsd:dateTime string`);
      return checkString(v, label, MAX_IDENTIFIER_CHARS);
    case 'complex':
      throw new InvalidValueError(`Attribute "${label}" is complex`);
    default:
      if (typeof v !== 'string') throw new InvalidValueError(`Attribute "${label}" must be a string`);
      return v === '' ? undefined : isIdentifier(label) ? checkString(v, label, MAX_IDENTIFIER_CHARS) : checkString(v, label);
  }
}

/** A complex value: sub-attribute names resolved case-insensitively (fixture F15), unknown and readOnly
 * sub-attributes dropped, null/"" sub-attributes absent. Empty result → undefined. */
export function normalizeComplex(def: AttrDef, v: unknown, label: string): ScimDoc | undefined {
  if (isAbsent(v)) return undefined;
  if (!isPlainObject(v)) throw new InvalidValueError(`Attribute "${label}" must be an object`);
  const out: ScimDoc = {};
  for (const [k, sv] of Object.entries(v)) {
    const sub = findSub(def, k);
    if (!sub || sub.mutability === 'readOnly') continue;
    const n = normalizeSimple(sub, sv, `${label}.${sub.name}`);
    if (n !== undefined) out[sub.name] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

/** One element of a multi-valued complex attribute; a bare value becomes `{value}` (fixture F18). */
export function normalizeElement(def: AttrDef, v: unknown, label: string): ScimDoc | undefined {
  if (isAbsent(v)) return undefined;
  if (!isPlainObject(v) && findSub(def, 'value')) return normalizeComplex(def, { value: v }, label);
  return normalizeComplex(def, v, label);
}

/** Any attribute value by its definition. Multi-valued: array (single value wrapped), empty → absent. */
export function normalizeValue(def: AttrDef, v: unknown, label: string): unknown {
  if (isAbsent(v)) return undefined;
  if (def.multiValued) {
    const list = wrapMultiValued(v);
    checkValueCount(list.length, label);
    const els = list
      .map((el) => (def.type === 'complex' ? normalizeElement(def, el, label) : normalizeSimple(def, el, label)))
      .filter((el) => el !== undefined);
    return els.length ? els : undefined;
  }
  if (def.type !== 'complex') return normalizeSimple(def, v, label);
  if (def.name === 'manager') {
    // Stored as {value} only (fixture F19); $ref/displayName are rendered from the id.
    const m = normalizeComplex(def, unwrapManager(v), label);
    return typeof m?.value === 'string' ? { value: m.value } : undefined;
  }
  return normalizeComplex(def, v, label);
}

/** Value of a case-insensitively named key of a plain object. */
export function getCI(obj: Record<string, unknown>, name: string): unknown {
  const k = findKey(obj, name);
  return k === undefined ? undefined : obj[k];
}
