// Boolean algebra over Prisma where inputs: `true`/`false` stand for "every row"/"no row" and
// short-circuit, AND/OR nest flat, so a translated filter stays as small as the filter itself.
export type Where = Record<string, unknown>;
export type W = boolean | Where;

export function and(a: W, b: W): W {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { AND: [...parts(a, 'AND'), ...parts(b, 'AND')] };
}

export function or(a: W, b: W): W {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { OR: [...parts(a, 'OR'), ...parts(b, 'OR')] };
}

export function not(a: W): W {
  return typeof a === 'boolean' ? !a : { NOT: a };
}

/** The operands of `w` when it is an AND (or OR) already, else `w` alone. */
export function parts(w: Where, k: 'AND' | 'OR'): Where[] {
  const keys = Object.keys(w);
  return keys.length === 1 && keys[0] === k && Array.isArray(w[k]) ? (w[k] as Where[]) : [w];
}

const FALSE_WHERE: Where = { id: { in: [] } };

/** A where input Prisma accepts: `true` is no condition, `false` one that no row meets. */
export function finish(w: W): Where {
  return w === true ? {} : w === false ? FALSE_WHERE : w;
}
