// attributes / excludedAttributes (RFC 7644 §3.4.2.5, §3.9): names are case-insensitive, may be
// sub-attributes (name.givenName, emails.value) or URN-qualified (…:enterprise:2.0:User:department,
// or the extension URN itself). `id` (returned "always") and `schemas` (needed to read the
// resource) are always kept; `meta` is "default" and follows the lists like any attribute.
// `excludedAttributes=members` drops members entirely (fixtures C02, H03, H04, J03).
// Unknown names are ignored (nothing to include or exclude).
import { parseAttrPath } from '../filter/attr-path.ts';
import { findKey } from '../normalize.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './urns.ts';
import { resolveUserAttr } from './schema-defs.ts';
import { isPlainObject } from './values.ts';

export interface ProjectionOpts {
  attributes?: string | string[];
  excludedAttributes?: string | string[];
}

type Spec = { ext: boolean; attr?: string; sub?: string };

const ALWAYS = new Set(['id', 'schemas']);

function names(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

function spec(name: string, resourceType: 'User' | 'Group'): Spec | undefined {
  const lower = name.toLowerCase();
  if (lower === ENTERPRISE_URN.toLowerCase()) return resourceType === 'User' ? { ext: true } : undefined;
  let p;
  try {
    p = parseAttrPath(name, (d) => new Error(d));
  } catch {
    return undefined;
  }
  const uri = p.uri?.toLowerCase();
  if (resourceType === 'Group') {
    if (uri !== undefined && uri !== GROUP_URN.toLowerCase()) return undefined;
    return { ext: false, attr: p.attr, sub: p.sub };
  }
  if (uri !== undefined && uri !== USER_URN.toLowerCase() && uri !== ENTERPRISE_URN.toLowerCase()) return undefined;
  const r = resolveUserAttr(p.uri, p.attr);
  if (r) return { ext: r.schema === ENTERPRISE_URN, attr: r.def.name, sub: p.sub };
  return { ext: false, attr: p.attr, sub: p.sub }; // common attributes: externalId, meta
}

function pickSub(v: unknown, sub: string): unknown {
  if (Array.isArray(v)) {
    const els = v.map((el) => pickSub(el, sub)).filter((el) => el !== undefined);
    return els.length ? els : undefined;
  }
  if (!isPlainObject(v)) return undefined;
  const k = findKey(v, sub);
  return k === undefined ? undefined : { [k]: v[k] };
}

function mergeInto(out: Record<string, unknown>, key: string, v: unknown): void {
  const cur = out[key];
  if (Array.isArray(cur) && Array.isArray(v)) out[key] = cur.map((el, i) => ({ ...(el as object), ...(v[i] as object) }));
  else if (isPlainObject(cur) && isPlainObject(v)) out[key] = { ...cur, ...v };
  else out[key] = v;
}

function include(src: Record<string, unknown>, out: Record<string, unknown>, s: Spec): void {
  const k = findKey(src, s.attr!);
  if (k === undefined || ALWAYS.has(k)) return;
  const v = s.sub === undefined ? src[k] : pickSub(src[k], s.sub);
  if (v !== undefined) mergeInto(out, k, s.sub === undefined ? structuredClone(v) : v);
}

function exclude(obj: Record<string, unknown>, s: Spec): void {
  const k = findKey(obj, s.attr!);
  if (k === undefined || ALWAYS.has(k)) return;
  if (s.sub === undefined) {
    delete obj[k];
    return;
  }
  const drop = (el: unknown) => {
    if (!isPlainObject(el)) return;
    const sk = findKey(el, s.sub!);
    if (sk !== undefined) delete el[sk];
  };
  const v = obj[k];
  if (Array.isArray(v)) v.forEach(drop);
  else drop(v);
}

export function project(resource: Record<string, unknown>, opts: ProjectionOpts, resourceType: 'User' | 'Group'): Record<string, unknown> {
  const inc = names(opts.attributes).map((n) => spec(n, resourceType)).filter((s): s is Spec => !!s);
  const exc = names(opts.excludedAttributes).map((n) => spec(n, resourceType)).filter((s): s is Spec => !!s);
  if (names(opts.attributes).length) {
    const out: Record<string, unknown> = {};
    for (const k of ALWAYS) if (k in resource) out[k] = resource[k];
    const ext = isPlainObject(resource[ENTERPRISE_URN]) ? resource[ENTERPRISE_URN] : undefined;
    const extOut: Record<string, unknown> = {};
    for (const s of inc) {
      if (s.ext && s.attr === undefined) {
        if (ext) Object.assign(extOut, structuredClone(ext));
      } else if (s.ext) {
        if (ext) include(ext, extOut, s);
      } else include(resource, out, s);
    }
    if (Object.keys(extOut).length) out[ENTERPRISE_URN] = extOut;
    return out;
  }
  if (!exc.length) return resource;
  const out = structuredClone(resource);
  for (const s of exc) {
    if (s.ext && s.attr === undefined) delete out[ENTERPRISE_URN];
    else if (s.ext) {
      const ext = out[ENTERPRISE_URN];
      if (isPlainObject(ext)) {
        exclude(ext, s);
        if (!Object.keys(ext).length) delete out[ENTERPRISE_URN];
      }
    } else exclude(out, s);
  }
  return out;
}

/** Whether a Group response will show members, so the service can skip loading them (Entra's
 * group reads exclude them, fixtures H03, H04). */
export function wantsMembers(opts: ProjectionOpts): boolean {
  const isMembers = (n: string) => {
    const s = spec(n, 'Group');
    return !!s && s.attr?.toLowerCase() === 'members';
  };
  const inc = names(opts.attributes);
  if (inc.length) return inc.some(isMembers);
  return !names(opts.excludedAttributes).some((n) => {
    const s = spec(n, 'Group');
    return !!s && s.attr?.toLowerCase() === 'members' && s.sub === undefined;
  });
}
