// PATCH of a Group (RFC 7644 §3.5.2): displayName/externalId change the document; members never
// enter the document — each member operation becomes a MemberChange, applied by the repository
// as a delta of member rows in order (add idempotent, fixture H10; remove with a value array
// removes only the listed values, never the whole group, H14/H15; remove by value filter
// members[value eq "…"], H16; replace = set). Fixtures H08–H23.
import type { FilterNode } from '../filter/ast.ts';
import { InvalidPathError, MutabilityError } from '../errors.ts';
import { isClearingValue, isServerOwnedKey, memberRefs, type PatchOpName } from '../normalize.ts';
import type { MemberChange as AnyMemberChange } from '../membership.ts';
import { GROUP_URN } from '../resources/urns.ts';
import { readDisplayName, readGroupExternalId } from '../resources/group.ts';
import type { ScimDoc } from '../resources/values.ts';
import type { PatchPath } from './path.ts';
import type { PatchOp } from './request.ts';

/** A member operation of a PATCH; a removal by value filter carries the parsed filter. */
export type MemberChange = AnyMemberChange<FilterNode>;

const MEMBER_SUBS = new Set(['value', 'display', 'type', '$ref']);

export function applyGroupPatch(doc: ScimDoc, ops: PatchOp[]): { doc: ScimDoc; memberChanges: MemberChange[] } {
  const d = structuredClone(doc);
  const changes: MemberChange[] = [];
  for (const op of ops) {
    if (!op.path) {
      // Path-less (validator: {"op":"replace","value":{"displayName":"…"}}, H21/H22); unknown
      // keys are ignored, as on Users (fixture F33), id/meta/schemas too (fixture H02).
      for (const [k, v] of Object.entries(op.value as Record<string, unknown>)) {
        if (isServerOwnedKey(k)) continue;
        const lk = k.toLowerCase();
        if (lk === 'displayname' || lk === `${GROUP_URN.toLowerCase()}:displayname`) setDisplayName(d, op.op, v);
        else if (lk === 'externalid') setExternalId(d, op.op, v);
        else if (lk === 'members' || lk === `${GROUP_URN.toLowerCase()}:members`) memberOp(changes, op.op, v, true);
      }
      continue;
    }
    applyPath(d, changes, op, op.path);
  }
  return { doc: d, memberChanges: changes };
}

function applyPath(d: ScimDoc, changes: MemberChange[], op: PatchOp, path: PatchPath): void {
  const raw = op.rawPath ?? '';
  if (path.attr === undefined || (path.uri !== undefined && path.uri.toLowerCase() !== GROUP_URN.toLowerCase())) {
    throw new InvalidPathError(`"${raw}" is not a Group attribute`);
  }
  const a = path.attr.toLowerCase();
  if (a === 'id' || a === 'meta' || a === 'schemas') throw new MutabilityError(`"${path.attr}" is read-only`);
  if (a === 'displayname' || a === 'externalid') {
    if (path.sub !== undefined || path.filter) throw new InvalidPathError(`"${raw}": "${path.attr}" has no sub-attributes`);
    if (a === 'displayname') setDisplayName(d, op.op, op.value);
    else setExternalId(d, op.op, op.value);
    return;
  }
  if (a !== 'members') throw new InvalidPathError(`Unknown attribute "${raw}"`);
  if (path.filter) {
    if (op.op !== 'remove' || path.sub !== undefined) {
      throw new InvalidPathError(`"${raw}": a members value filter is supported with "remove" only`);
    }
    checkMemberFilter(path.filter);
    changes.push(removalFor(path.filter));
    return;
  }
  if (path.sub !== undefined) throw new InvalidPathError(`"${raw}": members sub-attributes are immutable; add or remove whole members`);
  memberOp(changes, op.op, op.value, op.hasValue);
}

function setDisplayName(d: ScimDoc, op: PatchOpName, v: unknown): void {
  if (op === 'remove' || isClearingValue(v)) throw new MutabilityError('"displayName" is required and cannot be removed');
  d.displayName = readDisplayName(v);
}

function setExternalId(d: ScimDoc, op: PatchOpName, v: unknown): void {
  const x = op === 'remove' ? undefined : readGroupExternalId(v);
  if (x === undefined) delete d.externalId;
  else d.externalId = x;
}

function memberOp(changes: MemberChange[], op: PatchOpName, v: unknown, hasValue: boolean): void {
  if (op === 'add') {
    const members = memberRefs(v);
    if (members.length) changes.push({ op: 'add', members });
  } else if (op === 'replace') {
    const members = memberRefs(v);
    changes.push(members.length ? { op: 'replace', members } : { op: 'removeAll' });
  } else if (!hasValue || v === null) {
    // RFC 7644 §3.5.2.2: remove without a value removes all members (Entra never sends this: its
    // removals always list the values, fixture H14).
    changes.push({ op: 'removeAll' });
  } else {
    const values = memberRefs(v).map((m) => m.value);
    if (values.length) changes.push({ op: 'remove', values });
  }
}

function checkMemberFilter(n: FilterNode): void {
  switch (n.kind) {
    case 'and':
    case 'or':
      checkMemberFilter(n.left);
      checkMemberFilter(n.right);
      return;
    case 'not':
      return checkMemberFilter(n.expr);
    case 'valuePath':
      throw new InvalidPathError('Value filters cannot be nested');
    default:
      if (n.path.uri !== undefined || n.path.sub !== undefined || !MEMBER_SUBS.has(n.path.attr.toLowerCase())) {
        throw new InvalidPathError(`members has no sub-attribute "${n.path.attr}${n.path.sub ? `.${n.path.sub}` : ''}"`);
      }
  }
}

/** `members[value eq "x"]` (or an `or` of such) is a plain removal by id: no row scan needed. */
function removalFor(f: FilterNode): MemberChange {
  const values: string[] = [];
  const collect = (n: FilterNode): boolean => {
    if (n.kind === 'or') return collect(n.left) && collect(n.right);
    if (n.kind === 'compare' && n.op === 'eq' && n.path.attr.toLowerCase() === 'value' && typeof n.value === 'string') {
      values.push(n.value);
      return true;
    }
    return false;
  };
  return collect(f) ? { op: 'remove', values } : { op: 'removeWhere', filter: f };
}
