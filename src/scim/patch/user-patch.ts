// PATCH of a User document (RFC 7644 §3.5.2), pure: operations applied strictly in order on a
// copy (Entra's validator sends several operations on one attribute); any throw discards the
// whole request. Entra dialects: path-less values whose keys are paths (fixtures F11, F13), string
// booleans (G01, G04), manager as a bare id, {value} or [{value,$ref}] (F18, F21, F23),
// case-insensitive names (F15), Replace on a missing emails[type eq "work"].value creates the
// element (F07), ""/null clears (RFC 7644 §3.5.2.3; F29, F31), unknown keys in path-less values
// ignored (a 400 would also block a deactivation sent in the same PATCH, F33) while an explicit
// unknown path is invalidPath.
import { InvalidPathError, MutabilityError, NoTargetError } from '../errors.ts';
import { isClearingValue, isEnterpriseKey, isServerOwnedKey, type PatchOpName } from '../normalize.ts';
import { findSub, resolveUserAttr, type AttrDef } from '../resources/schema-defs.ts';
import { ENTERPRISE_URN, USER_URN } from '../resources/urns.ts';
import { isPlainObject, normalizeElement, normalizeSimple, normalizeValue, type ScimDoc } from '../resources/values.ts';
import { eqTemplate, matches } from './match.ts';
import { parsePath, type PatchPath } from './path.ts';
import type { PatchOp } from './request.ts';

type Ctx = { op: PatchOpName; value: unknown; strict: boolean; raw: string; hasValueList?: boolean };

export function applyUserPatch(doc: ScimDoc, ops: PatchOp[]): ScimDoc {
  const d = structuredClone(doc);
  for (const op of ops) {
    if (op.path) {
      const hasValueList = op.op === 'remove' && !isClearingValue(op.value);
      applyPath(d, op.path, { op: op.op, value: op.value, strict: true, raw: op.rawPath ?? '', hasValueList });
    } else applyPathless(d, op.op, op.value as Record<string, unknown>);
  }
  return d;
}

/** Keys of a path-less value are attribute names, sub-attribute paths, URN paths or the extension
 * URN with an object (fixtures F11, F13). id/meta/schemas keys are ignored (Entra sends `meta` in
 * bodies, fixture H02), unknown keys too (fixture F33: failing them would block the deactivation
 * sent with them). */
function applyPathless(d: ScimDoc, op: PatchOpName, value: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(value)) {
    if (isServerOwnedKey(k)) continue;
    if (isEnterpriseKey(k)) {
      if (isPlainObject(v)) for (const [ek, ev] of Object.entries(v)) tryPath(d, `${ENTERPRISE_URN}:${ek}`, op, ev);
      continue;
    }
    tryPath(d, k, op, v);
  }
}

function tryPath(d: ScimDoc, key: string, op: PatchOpName, v: unknown): void {
  let path: PatchPath;
  try {
    path = parsePath(key);
  } catch {
    return; // not even a path: an unknown attribute, ignored like any unknown key (fixture F33)
  }
  applyPath(d, path, { op, value: v, strict: false, raw: key });
}

function reject(ctx: Ctx, err: Error): void {
  if (ctx.strict) throw err;
}

function applyPath(d: ScimDoc, path: PatchPath, ctx: Ctx): void {
  if (path.attr === undefined) {
    // The whole extension object (path = the enterprise URN).
    if (path.uri !== ENTERPRISE_URN) return reject(ctx, new InvalidPathError(`"${ctx.raw}" is not a patchable schema`));
    if (ctx.op === 'remove' || isClearingValue(ctx.value)) {
      if (ctx.op !== 'add') delete d[ENTERPRISE_URN];
      return;
    }
    if (!isPlainObject(ctx.value)) throw new InvalidPathError(`"${ENTERPRISE_URN}" needs an object value`);
    for (const [k, v] of Object.entries(ctx.value)) tryPathStrict(d, k, ctx, v);
    return;
  }
  const lower = path.attr.toLowerCase();
  const core = path.uri === undefined || path.uri.toLowerCase() === USER_URN.toLowerCase();
  if (core && (lower === 'id' || lower === 'meta' || lower === 'schemas')) {
    return reject(ctx, new MutabilityError(`"${path.attr}" is read-only`));
  }
  if (core && lower === 'externalid') {
    if (path.sub !== undefined || path.filter) return reject(ctx, new InvalidPathError(`"${ctx.raw}": externalId has no sub-attributes`));
    const def: AttrDef = { name: 'externalId', type: 'string', multiValued: false, description: '', required: false, caseExact: true, mutability: 'readWrite', returned: 'default', uniqueness: 'none' };
    return applySingle(d, def, undefined, ctx, 'externalId');
  }
  const r = resolveUserAttr(path.uri, path.attr);
  if (!r) return reject(ctx, new InvalidPathError(`Unknown attribute "${ctx.raw}"`));
  if (r.def.mutability === 'readOnly') return reject(ctx, new MutabilityError(`"${r.def.name}" is read-only`));
  const ext = r.schema === ENTERPRISE_URN;
  const container: ScimDoc = ext ? (isPlainObject(d[ENTERPRISE_URN]) ? (d[ENTERPRISE_URN] as ScimDoc) : {}) : d;
  const label = ext ? `${ENTERPRISE_URN}:${r.def.name}` : r.def.name;
  if (r.def.multiValued) applyMulti(container, r.def, path, ctx, label);
  else {
    if (path.filter) return reject(ctx, new InvalidPathError(`"${ctx.raw}": a value filter needs a multi-valued attribute`));
    applySingle(container, r.def, path.sub, ctx, label);
  }
  if (ext) {
    if (Object.keys(container).length) d[ENTERPRISE_URN] = container;
    else delete d[ENTERPRISE_URN];
  }
  if (r.def.name === 'userName' && !r.def.multiValued && (typeof d.userName !== 'string' || d.userName === '')) {
    throw new MutabilityError('"userName" is required and cannot be removed');
  }
}

function tryPathStrict(d: ScimDoc, key: string, ctx: Ctx, v: unknown): void {
  let path: PatchPath;
  try {
    path = parsePath(`${ENTERPRISE_URN}:${key}`);
  } catch {
    return;
  }
  applyPath(d, path, { ...ctx, value: v, strict: false, raw: key });
}

function clears(ctx: Ctx): boolean {
  return ctx.op === 'remove' || isClearingValue(ctx.value);
}

function applySingle(c: ScimDoc, def: AttrDef, sub: string | undefined, ctx: Ctx, label: string): void {
  const key = def.name;
  if (def.type !== 'complex') {
    if (sub !== undefined) return reject(ctx, new InvalidPathError(`"${ctx.raw}": "${def.name}" has no sub-attributes`));
    if (clears(ctx)) delete c[key];
    else set(c, key, normalizeValue(def, ctx.value, label));
    return;
  }
  const cur = isPlainObject(c[key]) ? { ...(c[key] as ScimDoc) } : {};
  if (sub !== undefined) {
    const sd = findSub(def, sub);
    if (!sd) return reject(ctx, new InvalidPathError(`"${ctx.raw}": "${def.name}" has no sub-attribute "${sub}"`));
    if (sd.mutability === 'readOnly') return reject(ctx, new MutabilityError(`"${def.name}.${sd.name}" is read-only`));
    if (clears(ctx)) delete cur[sd.name];
    else set(cur, sd.name, normalizeSimple(sd, ctx.value, `${label}.${sd.name}`));
  } else if (clears(ctx)) {
    delete c[key];
    return;
  } else {
    // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not in the value are left unchanged.
    const n = normalizeValue(def, ctx.value, label) as ScimDoc | undefined;
    Object.assign(cur, n ?? {});
  }
  set(c, key, Object.keys(cur).length ? cur : undefined);
}

function set(c: ScimDoc, key: string, v: unknown): void {
  if (v === undefined) delete c[key];
  else c[key] = v;
}

/** Elements whose defining content is gone are dropped: no `value` for value-bearing attributes,
 * no address component for addresses (so clearing emails[type eq "work"].value leaves no ghost). */
function meaningful(def: AttrDef, el: ScimDoc): boolean {
  if (findSub(def, 'value')) return el.value !== undefined;
  return Object.keys(el).some((k) => k !== 'type' && k !== 'primary');
}

/** RFC 7644 §3.5.2: setting primary true on one value sets it false on the others. */
function onePrimary(list: ScimDoc[], winner: ScimDoc): void {
  if (winner.primary !== true) return;
  for (const el of list) if (el !== winner && el.primary === true) el.primary = false;
}

function sameElement(a: ScimDoc, b: ScimDoc): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

function applyMulti(c: ScimDoc, def: AttrDef, path: PatchPath, ctx: Ctx, label: string): void {
  const key = def.name;
  let list: ScimDoc[] = Array.isArray(c[key]) ? (c[key] as ScimDoc[]).map((e) => ({ ...e })) : [];
  const sd = path.sub === undefined ? undefined : findSub(def, path.sub);
  if (path.sub !== undefined && !sd) return reject(ctx, new InvalidPathError(`"${ctx.raw}": "${def.name}" has no sub-attribute "${path.sub}"`));
  const setSub = (el: ScimDoc) => {
    if (clears(ctx)) delete el[sd!.name];
    else set(el, sd!.name, normalizeSimple(sd!, ctx.value, `${label}.${sd!.name}`));
    onePrimary(list, el);
  };

  if (!path.filter) {
    if (sd) {
      if (list.length === 0 && !clears(ctx)) list.push({});
      list.forEach(setSub);
    } else if (ctx.op === 'remove') {
      const sel = ctx.hasValueList ? selectors(def, ctx.value, label) : [];
      list = sel.length ? list.filter((el) => !sel.some((s) => covers(el, s, def))) : [];
    } else if (ctx.op === 'replace') {
      list = clears(ctx) ? [] : ((normalizeValue(def, ctx.value, label) as ScimDoc[] | undefined) ?? []);
      const p = list.filter((e) => e.primary === true);
      for (const extra of p.slice(1)) extra.primary = false;
    } else if (!isClearingValue(ctx.value)) {
      for (const el of (normalizeValue(def, ctx.value, label) as ScimDoc[] | undefined) ?? []) {
        if (list.some((x) => sameElement(x, el))) continue;
        list.push(el);
        onePrimary(list, el);
      }
    }
  } else {
    const hits = list.filter((el) => matches(el, path.filter!, def));
    if (ctx.op === 'remove') {
      if (sd) hits.forEach(setSub);
      else list = list.filter((el) => !hits.includes(el));
    } else if (sd) {
      if (hits.length) hits.forEach(setSub);
      else if (!isClearingValue(ctx.value)) {
        // Fixtures F07, F11: Replace on a missing emails[type eq "work"].value creates
        // {type, value}; strict RFC would answer noTarget, which Entra records as a failure.
        const el = createFrom(def, path, ctx);
        setSub(el);
        if (def.name === 'emails' && list.length === 0 && el.primary === undefined) el.primary = true;
        list.push(el);
        onePrimary(list, el);
      }
    } else if (isClearingValue(ctx.value)) {
      list = list.filter((el) => !hits.includes(el));
    } else {
      const n = normalizeElement(def, ctx.value, label) ?? {};
      if (hits.length) {
        for (const h of hits) {
          const next = ctx.op === 'replace' ? { ...n } : { ...h, ...n };
          list[list.indexOf(h)] = next;
          onePrimary(list, next);
        }
      } else {
        const el = { ...createFrom(def, path, ctx), ...n };
        list.push(el);
        onePrimary(list, el);
      }
    }
  }
  list = list.filter((el) => meaningful(def, el));
  set(c, key, list.length ? list : undefined);
}

function createFrom(def: AttrDef, path: PatchPath, ctx: Ctx): ScimDoc {
  const t = eqTemplate(path.filter!, def);
  if (!t) throw new NoTargetError(`No "${def.name}" value matches "${ctx.raw}", and that filter does not describe one to create`);
  return { ...t };
}

/** `remove` on a multi-valued attribute with a value list (the members-style shape some clients
 * also use for emails): each given element selects the stored ones it covers. */
function selectors(def: AttrDef, v: unknown, label: string): ScimDoc[] {
  return ((normalizeValue(def, v, label) as ScimDoc[] | undefined) ?? []).filter((s) => Object.keys(s).length);
}

function covers(el: ScimDoc, s: ScimDoc, def: AttrDef): boolean {
  return Object.entries(s).every(([k, v]) => {
    const sd = findSub(def, k);
    const a = el[k];
    if (typeof a === 'string' && typeof v === 'string' && sd && !sd.caseExact) return a.toLowerCase() === v.toLowerCase();
    return JSON.stringify(a) === JSON.stringify(v);
  });
}
