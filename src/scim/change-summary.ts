// What a PATCH/PUT changed, for the activity log, computed from the stored document before and
// after the write, both already in memory in the service's update callback (no extra read).
// Pure. Bounded: at most MAX_ATTRIBUTES attribute changes, each value cut to MAX_VALUE_CHARS, and
// at most MAX_MEMBER_IDS member ids per direction, so a row stays small whatever the request.
import type { AttributeChange, ChangeSummary, MemberChanges } from '../activity/changes.ts';
import type { MemberChange } from './membership.ts';
import type { PatchOp } from './patch/request.ts';
import { isPlainObject } from './resources/values.ts';

export const MAX_ATTRIBUTES = 20;
export const MAX_VALUE_CHARS = 200;
export const MAX_MEMBER_IDS = 10;

// Credentials are never shown, whatever the attribute is called in a custom Entra mapping.
const SECRET_NAME = /password|secret/i;

type Doc = Record<string, unknown>;
/** `key` decides equality (the whole value); `show` is what a manager reads. */
type Leaf = { key: string; show: string; secret: boolean };

function cut(s: string): string {
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

// Objects are shown as JSON only where a list element has no value to show; a credential nested
// in one is masked there too.
function maskSecrets(this: unknown, k: string, v: unknown): unknown {
  return k && SECRET_NAME.test(k) ? '(secret)' : v;
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, maskSecrets);
}

/** A list whose elements cannot be told apart by `type`: shown as one value, built only up to the
 * display bound (a 1,000-element list costs no more than a short one to show). */
function listShow(list: unknown[]): string {
  let s = '';
  for (const el of list) {
    let part: string;
    if (isPlainObject(el)) {
      const main = el.value ?? el.display ?? el.formatted;
      part = scalarText(main === undefined ? el : main);
      if (typeof el.type === 'string') part += ` (${el.type})`;
    } else part = scalarText(el);
    s = s ? `${s}, ${part}` : part;
    if (s.length > MAX_VALUE_CHARS) break;
  }
  return cut(s);
}

/** RFC 7644 §3.5.2 value filters: Entra addresses typed elements as `emails[type eq "work"]`, so
 * a list whose elements all carry distinct types is diffed element by element under that name. */
function typedElements(list: unknown[]): Doc[] | null {
  const seen = new Set<string>();
  for (const el of list) {
    if (!isPlainObject(el) || typeof el.type !== 'string') return null;
    const t = el.type.toLowerCase();
    if (seen.has(t)) return null;
    seen.add(t);
  }
  return list as Doc[];
}

function flatten(doc: Doc, prefix: string, sep: string, out: Map<string, Leaf>, secretAbove: boolean): void {
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined || v === null) continue;
    const path = prefix ? `${prefix}${sep}${k}` : k;
    const secret = secretAbove || SECRET_NAME.test(k);
    // The extension object's attributes are addressed `urn:…:User:department` (RFC 7644 §3.10).
    const childSep = !prefix && k.startsWith('urn:') ? ':' : '.';
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      const typed = typedElements(v);
      if (typed) {
        for (const el of typed) {
          const { type, ...rest } = el;
          flatten(rest, `${path}[type eq "${type as string}"]`, '.', out, secret);
        }
      } else out.set(path, { key: JSON.stringify(v), show: secret ? '' : listShow(v), secret });
    } else if (isPlainObject(v)) {
      flatten(v, path, childSep, out, secret);
    } else {
      const s = scalarText(v);
      out.set(path, { key: s, show: secret ? '' : cut(s), secret });
    }
  }
}

/** Changes between two flattened sides; used where the shapes differ (an attribute added or
 * removed, a list that is typed on one side only), which is rare next to equal values. */
function compareLeaves(a: Map<string, Leaf>, b: Map<string, Leaf>, out: AttributeChange[]): void {
  for (const [path, leaf] of b) {
    const old = a.get(path);
    if (old && old.key === leaf.key) continue;
    if (leaf.secret || old?.secret) out.push({ path, secret: true });
    else out.push({ path, ...(old ? { from: old.show } : {}), to: leaf.show });
  }
  for (const [path, leaf] of a) {
    if (b.has(path)) continue;
    out.push(leaf.secret ? { path, secret: true } : { path, from: leaf.show });
  }
}

function compareFlattened(av: unknown, bv: unknown, k: string, prefix: string, sep: string, secretAbove: boolean, out: AttributeChange[]): void {
  const a = new Map<string, Leaf>();
  const b = new Map<string, Leaf>();
  if (av !== undefined && av !== null) flatten({ [k]: av }, prefix, sep, a, secretAbove);
  if (bv !== undefined && bv !== null) flatten({ [k]: bv }, prefix, sep, b, secretAbove);
  compareLeaves(a, b, out);
}

function elementWithoutType(el: Doc): Doc {
  const { type: _type, ...rest } = el;
  return rest;
}

/** Two lists of typed elements, element by element under `attr[type eq "…"]`. */
function diffTyped(a: Doc[], b: Doc[], path: string, secret: boolean, out: AttributeChange[]): void {
  const before = new Map<string, Doc>();
  for (const el of a) before.set((el.type as string).toLowerCase(), el);
  for (const el of b) {
    const key = (el.type as string).toLowerCase();
    const old = before.get(key);
    before.delete(key);
    const p = `${path}[type eq "${el.type as string}"]`;
    if (old) diffObjects(old, el, p, '.', secret, out, 'type');
    else compareLeaves(new Map(), leavesOf(elementWithoutType(el), p, secret), out);
  }
  for (const old of before.values()) compareLeaves(leavesOf(elementWithoutType(old), `${path}[type eq "${old.type as string}"]`, secret), new Map(), out);
}

function leavesOf(doc: Doc, prefix: string, secret: boolean): Map<string, Leaf> {
  const m = new Map<string, Leaf>();
  flatten(doc, prefix, '.', m, secret);
  return m;
}

function diffValue(k: string, av: unknown, bv: unknown, prefix: string, sep: string, secretAbove: boolean, out: AttributeChange[]): void {
  // Most attributes of a PATCH are untouched: equal scalars cost one comparison, no path string.
  if (av === bv) return;
  const absentA = av === undefined || av === null;
  const absentB = bv === undefined || bv === null;
  if (absentA && absentB) return;
  const secret = secretAbove || SECRET_NAME.test(k);
  if (!absentA && !absentB) {
    const path = prefix ? `${prefix}${sep}${k}` : k;
    if (isPlainObject(av) && isPlainObject(bv)) {
      // The extension object's attributes are addressed `urn:…:User:department` (RFC 7644 §3.10).
      return diffObjects(av, bv, path, !prefix && k.startsWith('urn:') ? ':' : '.', secret, out);
    }
    if (Array.isArray(av) && Array.isArray(bv)) {
      const ta = typedElements(av);
      const tb = typedElements(bv);
      if (ta && tb && ta.length && tb.length) return diffTyped(ta, tb, path, secret, out);
    } else if (!isPlainObject(av) && !isPlainObject(bv) && !Array.isArray(av) && !Array.isArray(bv)) {
      const from = scalarText(av);
      const to = scalarText(bv);
      if (from === to) return;
      out.push(secret ? { path, secret: true } : { path, from: cut(from), to: cut(to) });
      return;
    }
  }
  compareFlattened(av, bv, k, prefix, sep, secretAbove, out);
}

function diffObjects(a: Doc, b: Doc, prefix: string, sep: string, secret: boolean, out: AttributeChange[], skip?: string): void {
  for (const k in b) if (k !== skip) diffValue(k, a[k], b[k], prefix, sep, secret, out);
  for (const k in a) if (k !== skip && !Object.hasOwn(b, k)) diffValue(k, a[k], undefined, prefix, sep, secret, out);
}

/** Attribute paths whose value differs between the two stored documents, in document order. */
export function diffDocuments(before: Doc, after: Doc): AttributeChange[] {
  const out: AttributeChange[] = [];
  diffObjects(before, after, '', '.', false, out);
  return out;
}

function lastSegment(name: string): string {
  const i = name.lastIndexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Credentials a PATCH sets. The User schema stores none (changePassword is unsupported), so they
 * never reach the document; Entra still sends `password` in a path-less value when an admin maps
 * it, and the log says it was set, without the value. */
export function secretsInPatch(ops: PatchOp[]): string[] {
  const out: string[] = [];
  for (const op of ops) {
    if (op.op === 'remove') continue;
    if (op.rawPath !== undefined) {
      if (SECRET_NAME.test(op.rawPath)) out.push(lastSegment(op.rawPath));
    } else if (isPlainObject(op.value)) {
      for (const [k, v] of Object.entries(op.value)) if (v !== null && v !== undefined && v !== '' && SECRET_NAME.test(k)) out.push(lastSegment(k));
    }
  }
  return out;
}

/** Credentials a PUT body sets (top-level attributes, the same reason as secretsInPatch). */
export function secretsInBody(body: unknown): string[] {
  if (!isPlainObject(body)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined && v !== '' && SECRET_NAME.test(k)) out.push(lastSegment(k));
  return out;
}

function bounded(changes: AttributeChange[], members?: MemberChanges): ChangeSummary {
  return {
    attributes: changes.slice(0, MAX_ATTRIBUTES),
    more: Math.max(0, changes.length - MAX_ATTRIBUTES),
    ...(members ? { members } : {}),
  };
}

/** A User PATCH/PUT: the document diff, plus each credential the request set (once). */
export function userChangeSummary(before: Doc, after: Doc, secrets: string[] = []): ChangeSummary {
  const changes = diffDocuments(before, after);
  const named = new Set(changes.map((c) => c.path.toLowerCase()));
  for (const s of secrets) {
    if (named.has(s.toLowerCase())) continue;
    named.add(s.toLowerCase());
    changes.push({ path: s, secret: true });
  }
  return bounded(changes);
}

function pushIds(into: string[], ids: Iterable<string>): void {
  for (const id of ids) {
    if (into.length >= MAX_MEMBER_IDS) return;
    into.push(id);
  }
}

/** Member operations of a Group PATCH as the counts and ids they name (the repository applies
 * them as row deltas; an add of an existing member is named here even though no row changes). */
export function memberSummary(changes: MemberChange<unknown>[]): MemberChanges | undefined {
  if (changes.length === 0) return undefined;
  const m: MemberChanges = { added: 0, removed: 0, addedIds: [], removedIds: [] };
  for (const c of changes) {
    if (c.op === 'add') {
      m.added += c.members.length;
      pushIds(m.addedIds, c.members.map((x) => x.value));
    } else if (c.op === 'remove') {
      m.removed += c.values.length;
      pushIds(m.removedIds, c.values);
    } else if (c.op === 'removeAll') m.removedAll = true;
    else if (c.op === 'replace') m.replacedWith = c.members.length;
    else m.removedByFilter = true;
  }
  return m;
}

/** A Group PATCH: displayName/externalId from the document, members from the operations. */
export function groupChangeSummary(before: Doc, after: Doc, memberChanges: MemberChange<unknown>[]): ChangeSummary {
  return bounded(diffDocuments(before, after), memberSummary(memberChanges));
}

/** A Group PUT: the document diff and the new member count. */
export function groupReplaceSummary(before: Doc, after: Doc, memberCount: number): ChangeSummary {
  return bounded(diffDocuments(before, after), { added: 0, removed: 0, addedIds: [], removedIds: [], replacedWith: memberCount });
}
