// Evaluates a members[...] value filter (Entra flag dialect: members[value eq "…"], Q9) against
// member rows {value, type, display}: the removal then deletes exactly the matching rows.
// PROVISIONAL: written against a generic AST shape until filter/parse.ts lands.
import { InvalidFilterError } from './errors.ts';
import type { MemberOut } from '../db/scim-groups.ts';

type Node = Record<string, unknown>;

function attrOf(n: Node): string {
  const a = (n.attr ?? n.path ?? n.attribute) as unknown;
  const s = typeof a === 'string' ? a : a && typeof a === 'object' ? String((a as Node).name ?? (a as Node).attr ?? '') : '';
  return s.toLowerCase().replace(/^members\./, '');
}

function field(m: MemberOut, attr: string): string | undefined {
  if (attr === 'value' || attr === '') return m.value;
  if (attr === 'type') return m.type;
  if (attr === 'display') return m.display;
  if (attr === '$ref') return undefined;
  throw new InvalidFilterError(`members has no sub-attribute "${attr}"`);
}

export function memberMatcher(filter: unknown): (m: MemberOut) => boolean {
  const n = filter as Node;
  const kind = String(n.op ?? n.type ?? '').toLowerCase();
  if (kind === 'and' || kind === 'or') {
    const l = memberMatcher(n.left);
    const r = memberMatcher(n.right);
    return kind === 'and' ? (m) => l(m) && r(m) : (m) => l(m) || r(m);
  }
  if (kind === 'not') {
    const inner = memberMatcher(n.expr ?? n.filter ?? n.node);
    return (m) => !inner(m);
  }
  const attr = attrOf(n);
  if (kind === 'pr') return (m) => field(m, attr) !== undefined;
  const want = n.value;
  // member value ids are caseExact; compare as strings.
  const eq = (a: string | undefined) => a !== undefined && a === String(want);
  switch (kind) {
    case 'eq':
      return (m) => eq(field(m, attr));
    case 'ne':
      return (m) => !eq(field(m, attr));
    case 'co':
      return (m) => (field(m, attr) ?? '').includes(String(want));
    case 'sw':
      return (m) => (field(m, attr) ?? '').startsWith(String(want));
    case 'ew':
      return (m) => (field(m, attr) ?? '').endsWith(String(want));
    default:
      throw new InvalidFilterError(`Unsupported members filter operator "${kind}"`);
  }
}
