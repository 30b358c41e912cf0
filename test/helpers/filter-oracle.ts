// A reference evaluator of SCIM filters (RFC 7644 §3.4.2.2) over resources as the server renders
// them, written independently of the SQL translation, so the grid tests can check what the
// database answered. The service's documented choices are modelled explicitly:
// - ids (id, externalId, manager.value, groups.value, members.value) compare case-exactly, every
//   other string case-insensitively (caseExact:false, RFC 7643 §2.2);
// - an absent or empty attribute matches no comparison, so `ne` and `not (…)` match it;
// - on a multi-valued attribute a comparison holds when some element matches, `ne` when none
//   equals, and `emails eq "x"` means emails.value;
// - `active` absent is true and `primary` absent is false (stored defaults), so both are present;
// - members.type is "User" or "Group" (case-insensitive).
import type { AttrPath, CompareOp, CompareValue, FilterNode } from '../../src/scim/filter/ast.ts';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
type Res = Record<string, unknown>;

const EXACT = new Set(['id', 'externalid', 'manager.value', 'groups.value', 'members.value']);
const BOOLEAN_DEFAULT: Record<string, boolean> = { active: true, primary: false };

function get(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const k = Object.keys(obj).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : (obj as Res)[k];
}

function home(res: Res, p: AttrPath): unknown {
  const uri = p.uri?.toLowerCase();
  if (uri === ENTERPRISE.toLowerCase()) return get(get(res, ENTERPRISE), p.attr);
  const core = get(res, p.attr);
  return core !== undefined || uri !== undefined ? core : get(get(res, ENTERPRISE), p.attr);
}

/** The values a path denotes on one resource (or one element, inside a value path). */
function valuesOf(res: Res, p: AttrPath, inElement: boolean): { values: unknown[]; name: string } {
  const attr = p.attr.toLowerCase();
  if (attr === 'meta' && !inElement) {
    const sub = p.sub?.toLowerCase() ?? '';
    const m = get(res, 'meta');
    return { values: [get(m, sub === 'created' ? 'created' : sub === 'lastmodified' ? 'lastModified' : 'resourceType')], name: `meta.${sub}` };
  }
  const v = inElement ? get(res, p.attr) : home(res, p);
  if (inElement) return { values: [v], name: attr };
  const elements = Array.isArray(v) ? v : v === undefined ? [] : [v];
  const isComplex = elements.some((e) => e !== null && typeof e === 'object');
  if (!isComplex) return { values: elements, name: attr };
  const sub = p.sub ?? 'value';
  return { values: elements.map((e) => get(e, sub)), name: `${attr}.${sub.toLowerCase()}` };
}

function present(v: unknown, name: string): boolean {
  const last = name.split('.').pop()!;
  if (v === undefined && last in BOOLEAN_DEFAULT) return true;
  return v !== undefined && v !== null && v !== '';
}

function compareOne(actual: unknown, op: CompareOp, operand: CompareValue, name: string): boolean {
  const last = name.split('.').pop()!;
  if (typeof operand === 'boolean' || last in BOOLEAN_DEFAULT) {
    const a = actual === undefined ? BOOLEAN_DEFAULT[last] : actual;
    return op === 'eq' && a === operand;
  }
  if (!present(actual, name) || typeof actual !== 'string' || operand === null) return false;
  if (name === 'meta.created' || name === 'meta.lastmodified') {
    const a = new Date(actual).getTime();
    const b = new Date(String(operand)).getTime();
    return op === 'eq' ? a === b : op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : op === 'le' && a <= b;
  }
  const exact = EXACT.has(name);
  // co/sw/ew on a case-exact attribute are refused (invalidFilter), never evaluated.
  const a = exact ? actual : actual.toLowerCase();
  const b = exact ? String(operand) : String(operand).toLowerCase();
  switch (op) {
    case 'eq': return a === b;
    case 'co': return a.includes(b);
    case 'sw': return a.startsWith(b);
    case 'ew': return a.endsWith(b);
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

function evalIn(node: FilterNode, res: Res, inElement: boolean): boolean {
  switch (node.kind) {
    case 'and': return evalIn(node.left, res, inElement) && evalIn(node.right, res, inElement);
    case 'or': return evalIn(node.left, res, inElement) || evalIn(node.right, res, inElement);
    case 'not': return !evalIn(node.expr, res, inElement);
    case 'present': {
      const whole = !inElement && node.path.sub === undefined ? home(res, node.path) : undefined;
      if (whole !== null && typeof whole === 'object' && !Array.isArray(whole)) return Object.values(whole).some((v) => v !== null && v !== '');
      const { values, name } = valuesOf(res, node.path, inElement);
      return values.some((v) => present(v, name));
    }
    case 'compare': {
      const { values, name } = valuesOf(res, node.path, inElement);
      if (node.op === 'ne') return !values.some((v) => compareOne(v, 'eq', node.value, name));
      return values.some((v) => compareOne(v, node.op, node.value, name));
    }
    case 'valuePath': {
      const list = home(res, node.path);
      const elements = (Array.isArray(list) ? list : []) as Res[];
      const parent = node.path.attr.toLowerCase();
      return elements.some((e) => evalElement(node.filter, e, parent));
    }
  }
}

/** Inside `attr[…]`: sub-attribute names are qualified by their parent for case-exactness. */
function evalElement(node: FilterNode, el: Res, parent: string): boolean {
  if (node.kind === 'and') return evalElement(node.left, el, parent) && evalElement(node.right, el, parent);
  if (node.kind === 'or') return evalElement(node.left, el, parent) || evalElement(node.right, el, parent);
  if (node.kind === 'not') return !evalElement(node.expr, el, parent);
  if (node.kind === 'present') return present(get(el, node.path.attr), `${parent}.${node.path.attr.toLowerCase()}`);
  if (node.kind !== 'compare') return evalIn(node, el, true);
  const name = `${parent}.${node.path.attr.toLowerCase()}`;
  const eq = (op: CompareOp) => compareOne(get(el, node.path.attr), op, node.value, name);
  return node.op === 'ne' ? !eq('eq') : eq(node.op);
}

/** The ids of `resources` that `node` selects. */
export function oracle(node: FilterNode, resources: Res[]): string[] {
  return resources.filter((r) => evalIn(node, r, false)).map((r) => String(r.id)).sort();
}
