// Query parameters of a list or search (RFC 7644 §3.4.2.4 paging, §3.4.2.3 sorting, §3.4.2.5
// attributes), from a GET query string or a POST /.search body (§3.4.3), validated once.
import type { Config } from '../config.ts';
import { InvalidSyntaxError, InvalidValueError } from './errors.ts';
import { hasLoneSurrogate } from './json-guard.ts';
import { clip, parseAttrPath } from './filter/attr-path.ts';

export interface ListParams {
  filter?: string;
  startIndex: number; // 1-based, as echoed
  count: number; // 0..maxResults
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

type Scim = Config['scim'];

function pick(src: Record<string, unknown>, name: string): unknown {
  if (name in src) return src[name];
  // Parameter names compared case-insensitively: harmless tolerance (RFC 7643 §2.1 spirit).
  const k = Object.keys(src).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : src[k];
}

function str(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) v = v[v.length - 1];
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new InvalidValueError(`${name} must be a string`);
  if (hasLoneSurrogate(v)) throw new InvalidValueError(`${name} contains a lone UTF-16 surrogate, which is not a Unicode character`);
  return v;
}

function int(v: unknown, name: string): number | undefined {
  const s = str(v, name);
  if (s === undefined || s.trim() === '') return undefined;
  if (!/^\s*-?\d+\s*$/.test(s)) throw new InvalidValueError(`${name} must be an integer (got "${s.slice(0, 40)}")`);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : -1;
}

/** Each entry must read as an attribute path (RFC 7644 §3.10: [URI ":"] ATTRNAME ["." subAttr]);
 * a name that cannot be one (`__proto__`, `emails[type eq "work"]`) is 400, while a well-formed
 * name the resource lacks is ignored (resources/project.ts). */
const notAName = (d: string) => new InvalidValueError(d);

function names(v: unknown, name: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const parts = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') throw new InvalidValueError(`${name} must be a comma-separated list of attribute names`);
    for (const s of p.split(',')) {
      const n = s.trim();
      if (!n) continue;
      try {
        parseAttrPath(n, notAName);
      } catch {
        throw new InvalidValueError(`${name}: "${clip(n, 60)}" is not an attribute name`);
      }
      out.push(n);
    }
  }
  return out.length ? out : undefined;
}

export function projectionFrom(src: Record<string, unknown>): Projection {
  return {
    attributes: names(pick(src, 'attributes'), 'attributes'),
    excludedAttributes: names(pick(src, 'excludedAttributes'), 'excludedAttributes'),
  };
}

export function listParams(src: Record<string, unknown>, scim: Scim): ListParams {
  const startIndex = int(pick(src, 'startIndex'), 'startIndex');
  const count = int(pick(src, 'count'), 'count');
  const sortOrderRaw = str(pick(src, 'sortOrder'), 'sortOrder');
  let sortOrder: ListParams['sortOrder'];
  if (sortOrderRaw !== undefined && sortOrderRaw !== '') {
    const s = sortOrderRaw.toLowerCase();
    if (s !== 'ascending' && s !== 'descending') throw new InvalidValueError('sortOrder must be "ascending" or "descending"');
    sortOrder = s;
  }
  const filter = str(pick(src, 'filter'), 'filter');
  const sortBy = str(pick(src, 'sortBy'), 'sortBy');
  return {
    ...(filter !== undefined && filter.trim() !== '' ? { filter } : {}),
    // §3.4.2.4: startIndex < 1 is treated as 1; a negative count as 0; count capped at maxResults.
    startIndex: startIndex === undefined || startIndex < 1 ? 1 : startIndex,
    count: count === undefined ? Math.min(scim.defaultCount, scim.maxResults) : Math.max(0, Math.min(count, scim.maxResults)),
    ...(sortBy ? { sortBy } : {}),
    ...(sortOrder ? { sortOrder } : {}),
    ...projectionFrom(src),
  };
}

/** POST .search body (§3.4.3): same parameters, JSON-typed. */
export function searchParams(body: unknown, scim: Scim): ListParams {
  if (body === undefined) return listParams({}, scim);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidSyntaxError('A SearchRequest must be a JSON object');
  return listParams(body as Record<string, unknown>, scim);
}
