// Group resource mapping (RFC 7643 §4.2). The stored document holds displayName/externalId as
// sent; members live in ScimMember rows, never in the document (deltas, not rewrites).
import { InvalidSyntaxError, InvalidValueError } from '../errors.ts';
import { isAbsent, isSchemaLikeKey, isServerOwnedKey, memberRefs, type MemberRef } from '../normalize.ts';
import { GROUP_URN } from './urns.ts';
import { GROUP_ROWS } from './attributes.ts';
import { resourceColumns } from './columns.ts';
import { isPlainObject, type ScimDoc } from './values.ts';
import { checkIdentifier } from '../limits.ts';

export type { MemberRef } from '../normalize.ts';

export function readDisplayName(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new InvalidValueError('Attribute "displayName" is required and must be a non-empty string');
  return checkIdentifier(v, 'displayName');
}

export function readGroupExternalId(v: unknown): string | undefined {
  if (isAbsent(v) || v === '') return undefined;
  if (typeof v !== 'string') throw new InvalidValueError('Attribute "externalId" must be a string');
  return checkIdentifier(v, 'externalId');
}

/** POST/PUT body → stored document + initial members. Accepts Microsoft's ADSCIM schema URN and
 * client-sent meta/id by ignoring them (fixtures H02, H25); unknown attributes are ignored. */
export function groupFromScim(body: unknown): { doc: ScimDoc; members: MemberRef[] } {
  if (!isPlainObject(body)) throw new InvalidSyntaxError('A Group must be a JSON object');
  const doc: ScimDoc = {};
  let members: MemberRef[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (isServerOwnedKey(k) || isSchemaLikeKey(k)) continue;
    const lk = k.toLowerCase();
    if (lk === 'displayname') doc.displayName = isAbsent(v) ? undefined : v;
    else if (lk === 'externalid') {
      const x = readGroupExternalId(v);
      if (x === undefined) delete doc.externalId;
      else doc.externalId = x;
    } else if (lk === 'members') members = memberRefs(v);
  }
  doc.displayName = readDisplayName(doc.displayName);
  return { doc: { displayName: doc.displayName, ...(doc.externalId !== undefined ? { externalId: doc.externalId } : {}) }, members };
}

export interface GroupRow {
  id: string;
  data: ScimDoc;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface GroupRenderCtx {
  baseUrl: string;
  members?: Array<{ value: string; type: 'User' | 'Group'; display?: string }>;
}

/** Stored document → Group resource; `members` only when the caller loaded them (Entra reads
 * groups with excludedAttributes=members, fixtures H03, H04). */
export function groupToScim(row: GroupRow, ctx: GroupRenderCtx): Record<string, unknown> {
  const data = structuredClone(row.data);
  const { externalId, displayName, ...rest } = data;
  delete rest.members;
  const out: Record<string, unknown> = {
    schemas: [GROUP_URN],
    id: row.id,
    ...(externalId !== undefined ? { externalId } : {}),
    meta: {
      resourceType: 'Group',
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${ctx.baseUrl}/Groups/${row.id}`,
      version: `W/"${row.version}"`,
    },
    displayName,
    ...rest,
  };
  if (ctx.members !== undefined) {
    out.members = ctx.members.map((m) => ({
      value: m.value,
      $ref: `${ctx.baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`,
      ...(m.display !== undefined && m.display !== null && m.display !== '' ? { display: m.display } : {}),
      type: m.type,
    }));
  }
  return out;
}

/** Stored document → the derived query columns, typed for the repository's write. */
export function groupIndex(doc: ScimDoc): { displayNameKey: string; externalId: string | null } {
  const c = resourceColumns(GROUP_ROWS, doc);
  return { displayNameKey: String(c.displayNameKey ?? ''), externalId: typeof c.externalId === 'string' ? c.externalId : null };
}
