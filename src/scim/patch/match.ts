// In-memory evaluation of a value-path filter (`emails[type eq "work"]`) against one element of a
// multi-valued attribute, for PATCH targets (RFC 7644 §3.5.2). Sub-attribute names resolve
// case-insensitively (RFC 7643 §2.1; Entra sends `emails[...].Value`, fixture F15); caseExact:false
// sub-attributes compare case-insensitively; "True"/"False" strings compare as booleans (Entra
// sends booleans as strings, fixtures G01, G04).
import type { FilterNode } from '../filter/ast.ts';
import { InvalidPathError } from '../errors.ts';
import { coerceBoolean, findKey } from '../normalize.ts';
import { findSub, type AttrDef } from '../resources/schema-defs.ts';

export function subDefOf(def: AttrDef, name: string, uri?: string): AttrDef {
  const sub = uri === undefined ? findSub(def, name) : undefined;
  if (!sub) throw new InvalidPathError(`"${def.name}" has no sub-attribute "${uri ? `${uri}:` : ''}${name}"`);
  return sub;
}

export function matches(el: Record<string, unknown>, node: FilterNode, def: AttrDef): boolean {
  switch (node.kind) {
    case 'and':
      return matches(el, node.left, def) && matches(el, node.right, def);
    case 'or':
      return matches(el, node.left, def) || matches(el, node.right, def);
    case 'not':
      return !matches(el, node.expr, def);
    case 'valuePath':
      throw new InvalidPathError('Value filters cannot be nested');
    case 'present': {
      if (node.path.sub !== undefined) throw new InvalidPathError(`"${node.path.attr}.${node.path.sub}" is not a sub-attribute of "${def.name}"`);
      const sub = subDefOf(def, node.path.attr, node.path.uri);
      const k = findKey(el, sub.name);
      const v = k === undefined ? undefined : el[k];
      return v !== undefined && v !== null && v !== '';
    }
    case 'compare': {
      if (node.path.sub !== undefined) throw new InvalidPathError(`"${node.path.attr}.${node.path.sub}" is not a sub-attribute of "${def.name}"`);
      const sub = subDefOf(def, node.path.attr, node.path.uri);
      const k = findKey(el, sub.name);
      const actual = k === undefined ? undefined : el[k];
      return compare(sub, actual, node.op, node.value);
    }
  }
}

function compare(sub: AttrDef, actual: unknown, op: string, want: unknown): boolean {
  if (sub.type === 'boolean') {
    let w: boolean;
    try {
      w = coerceBoolean(want, sub.name);
    } catch {
      throw new InvalidPathError(`"${sub.name}" is a boolean: compare it with true or false`);
    }
    const a = actual === undefined ? false : actual === true; // absent primary = false (RFC 7643 §2.4)
    if (op === 'eq') return a === w;
    if (op === 'ne') return a !== w;
    throw new InvalidPathError(`Operator "${op}" is not supported on boolean "${sub.name}"`);
  }
  if (actual === undefined || actual === null) return op === 'ne';
  let a = String(actual);
  let w = want === null ? '' : String(want);
  if (!sub.caseExact) {
    a = a.toLowerCase();
    w = w.toLowerCase();
  }
  switch (op) {
    case 'eq':
      return a === w;
    case 'ne':
      return a !== w;
    case 'co':
      return a.includes(w);
    case 'sw':
      return a.startsWith(w);
    case 'ew':
      return a.endsWith(w);
    case 'gt':
      return a > w;
    case 'ge':
      return a >= w;
    case 'lt':
      return a < w;
    case 'le':
      return a <= w;
    default:
      throw new InvalidPathError(`Unknown operator "${op}"`);
  }
}

/** `type eq "work" and …` → the element those equalities describe; undefined when the filter is
 * anything else (then no element can be created from it). Used to create the element a Replace
 * on a missing `emails[type eq "work"].value` names (fixture F07). */
export function eqTemplate(node: FilterNode, def: AttrDef): Record<string, unknown> | undefined {
  if (node.kind === 'and') {
    const l = eqTemplate(node.left, def);
    const r = eqTemplate(node.right, def);
    return l && r ? { ...l, ...r } : undefined;
  }
  if (node.kind !== 'compare' || node.op !== 'eq' || node.path.sub !== undefined || node.value === null) return undefined;
  const sub = subDefOf(def, node.path.attr, node.path.uri);
  if (sub.type === 'boolean') return { [sub.name]: coerceBoolean(node.value, sub.name) };
  return typeof node.value === 'string' ? { [sub.name]: node.value } : undefined;
}
