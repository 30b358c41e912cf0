// Evaluates the filter of a members[...] value path (Entra flag dialect: members[value eq "…"],
// fixture H16) against member rows {value, type, display}, so a filtered removal deletes
// exactly the matching rows. Inner paths are relative to members (filter/ast.ts).
import { InvalidFilterError } from './errors.ts';
import type { FilterNode, AttrPath } from './filter/ast.ts';
import type { MemberOut, MemberPredicate } from './membership.ts';

function field(m: MemberOut, p: AttrPath): string | undefined {
  const a = (p.sub ? `${p.attr}.${p.sub}` : p.attr).toLowerCase().replace(/^members\./, '');
  if (a === 'value') return m.value;
  if (a === 'type') return m.type;
  if (a === 'display') return m.display;
  if (a === '$ref') return undefined;
  throw new InvalidFilterError(`members has no sub-attribute "${a}"`);
}

export function memberMatcher(n: FilterNode): MemberPredicate {
  switch (n.kind) {
    case 'and':
    case 'or': {
      const l = memberMatcher(n.left);
      const r = memberMatcher(n.right);
      return n.kind === 'and' ? (m) => l(m) && r(m) : (m) => l(m) || r(m);
    }
    case 'not': {
      const inner = memberMatcher(n.expr);
      return (m) => !inner(m);
    }
    case 'present':
      return (m) => field(m, n.path) !== undefined;
    case 'compare': {
      // value (an id) is caseExact; type and display compare case-insensitively (RFC 7643 §4.2).
      const exact = n.path.attr.toLowerCase() === 'value';
      const norm = (s: string) => (exact ? s : s.toLowerCase());
      const want = norm(String(n.value));
      field({ value: '', type: 'User' }, n.path); // unknown sub-attribute → 400 now, not per row
      return (m) => {
        const got = field(m, n.path);
        if (got === undefined) return n.op === 'ne';
        const g = norm(got);
        switch (n.op) {
          case 'eq': return g === want;
          case 'ne': return g !== want;
          case 'co': return g.includes(want);
          case 'sw': return g.startsWith(want);
          case 'ew': return g.endsWith(want);
          case 'gt': return g > want;
          case 'ge': return g >= want;
          case 'lt': return g < want;
          case 'le': return g <= want;
        }
      };
    }
    default:
      throw new InvalidFilterError('Unsupported members filter');
  }
}
