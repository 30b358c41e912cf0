// SCIM semantics for Groups. Membership changes from PATCH are handed to the repository as a
// delta of member rows (add / remove values / remove all / replace / remove where), never as a
// rewritten member list. The repository's neutral errors are worded here (db-errors.ts).
import { randomUUID } from 'node:crypto';
import type { GroupsRepo, GroupRecord, GroupWrite, GroupOrderBy, MemberDelta } from '../db/scim-groups.ts';
import type { ChangeSummary } from '../activity/changes.ts';
import { NotFoundError } from './errors.ts';
import { displayNameInUse, scimDb, type DbErrorWords } from './db-errors.ts';
import { checkIfMatch, etagOf } from './etag.ts';
import type { ListParams, Projection } from './list-params.ts';
import { LIST_URN, requireObject } from './media.ts';
import type { FilterNode } from './filter/ast.ts';
import { parseFilter } from './filter/parse.ts';
import { groupWhere, groupOrderBy } from './filter/to-where.ts';
import { groupFromScim, groupToScim, groupIndex } from './resources/group.ts';
import type { ScimDoc } from './resources/values.ts';
import { project, wantsMembers } from './resources/project.ts';
import { parsePatchRequest, applyGroupPatch } from './patch/apply.ts';
import { memberMatcher } from './member-filter.ts';
import type { MemberChange } from './membership.ts';
import { PAGE_FETCH_GROUPS_WITH_MEMBERS, PAGE_FETCH_ROWS, checkMemberCount } from './limits.ts';
import { boundedPage, type BoundedPage } from './page-budget.ts';
import { PAGE_MAX_BYTES, type ListResult, type Resource, type Single } from './users-service.ts';
import { groupChangeSummary, groupReplaceSummary } from './change-summary.ts';

export interface GroupsServiceDeps {
  repo: GroupsRepo;
  baseUrl: string;
  pageMaxBytes?: number;
  /** Off when activity recording is off: nothing would read the summary. */
  trackChanges?: boolean;
}

interface Ctx {
  repo: GroupsRepo;
  baseUrl: string;
  track: boolean;
  pageMaxBytes: number;
}

/** A PATCH answered without a representation: what the response headers and the activity log need. */
export interface PatchAck {
  etag: string;
  id: string;
  changes?: ChangeSummary;
}

export function groupWrite(doc: ScimDoc): GroupWrite {
  const idx = groupIndex(doc);
  const dn = doc.displayName;
  return { doc, displayNameKey: idx.displayNameKey, externalId: idx.externalId, displayName: typeof dn === 'string' ? dn : '' };
}

function toDelta(c: MemberChange<FilterNode>): MemberDelta {
  if (c.op === 'removeWhere') return { op: 'removeWhere', filter: memberMatcher(c.filter) };
  return c;
}

/** Member values named by one PATCH, over all its operations (each was bounded alone). */
function namedMembers(changes: MemberChange<FilterNode>[]): number {
  let n = 0;
  for (const c of changes) n += c.op === 'add' || c.op === 'replace' ? c.members.length : c.op === 'remove' ? c.values.length : 0;
  return n;
}

function notFound(id: string): DbErrorWords {
  return { notFound: `Group ${id} not found` };
}

function render(ctx: Ctx, rec: GroupRecord): Resource {
  const row = { id: rec.id, data: rec.data, createdAt: rec.createdAt, updatedAt: rec.updatedAt, version: rec.version };
  return groupToScim(row, { baseUrl: ctx.baseUrl, ...(rec.members ? { members: rec.members } : {}) });
}

function single(ctx: Ctx, rec: GroupRecord, p: Projection): Single {
  return {
    resource: project(render(ctx, rec), p, 'Group'),
    etag: etagOf(rec.version),
    version: rec.version,
    id: rec.id,
    location: `${ctx.baseUrl}/Groups/${rec.id}`,
  };
}

async function getGroup(ctx: Ctx, tenantId: string, id: string, p: Projection): Promise<Single> {
  const rec = await scimDb({}, () => ctx.repo.get(tenantId, id, { members: wantsMembers(p) }));
  if (!rec) throw new NotFoundError(`Group ${id} not found`);
  return single(ctx, rec, p);
}

function listOrder(q: ListParams): GroupOrderBy[] {
  return [...(q.sortBy ? groupOrderBy(q.sortBy, q.sortOrder) : [{ createdAt: 'asc' as const }]), { id: 'asc' }];
}

/** A page within `maxBytes` of JSON (page-budget.ts), with what it used. */
async function listPage(ctx: Ctx, tenantId: string, q: ListParams, maxBytes: number, atLeastOne: boolean): Promise<BoundedPage> {
  const where = q.filter ? groupWhere(parseFilter(q.filter)) : {};
  const orderBy = listOrder(q);
  const members = wantsMembers(q);
  return boundedPage({
    startIndex: q.startIndex,
    count: q.count,
    maxBytes,
    atLeastOne,
    step: members ? PAGE_FETCH_GROUPS_WITH_MEMBERS : PAGE_FETCH_ROWS,
    fetch: (skip, take, withTotal) =>
      scimDb({}, () => ctx.repo.list(tenantId, { where, orderBy, skip, take, members, ...(withTotal ? {} : { total: false as const }) })),
    render: (r) => project(render(ctx, r), q, 'Group'),
  });
}

async function createGroup(ctx: Ctx, tenantId: string, body: unknown, p: Projection): Promise<Single> {
  const { doc, members: refs } = groupFromScim(requireObject(body, 'Group'));
  const id = randomUUID();
  const write = groupWrite(doc);
  const created = await scimDb({ unique: displayNameInUse(write.displayName) }, () => ctx.repo.create(tenantId, id, write, refs));
  // Read back only for the members' display names, when the response shows them.
  const shown = wantsMembers(p);
  const rec = shown && refs.length > 0 ? await scimDb({}, () => ctx.repo.get(tenantId, id, { members: true })) : created;
  if (!rec) throw new NotFoundError(`Group ${id} not found`);
  if (!rec.members && shown) rec.members = [];
  return single(ctx, rec, p);
}

/** PUT replaces the resource, members included (RFC 7644 §3.5.1). */
async function replaceGroup(ctx: Ctx, tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection): Promise<Single> {
  const { doc, members: refs } = groupFromScim(requireObject(body, 'Group'));
  const write = groupWrite(doc);
  let changes: ChangeSummary | undefined;
  await scimDb({ unique: displayNameInUse(write.displayName), ...notFound(id) }, () =>
    ctx.repo.update(tenantId, id, (cur) => {
      checkIfMatch(ifMatch, cur.version);
      if (ctx.track) changes = groupReplaceSummary(cur.data, doc, refs.length);
      return { write, deltas: [{ op: 'replace', members: refs }] };
    }),
  );
  const one = await getGroup(ctx, tenantId, id, p);
  return changes ? { ...one, changes } : one;
}

/** PATCH; returns an acknowledgement without the resource when the caller asked for no
 * representation: Entra sends group PATCHes expecting 204 No Content (fixtures H08–H23), so the
 * member list is not loaded for nothing. */
async function patchGroup(
  ctx: Ctx,
  tenantId: string,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
  p: Projection | null,
): Promise<Single | PatchAck> {
  const ops = parsePatchRequest(requireObject(body, 'PatchOp'));
  let changes: ChangeSummary | undefined;
  let write: GroupWrite | undefined;
  const rec = await scimDb(
    () => ({ unique: displayNameInUse(write?.displayName), ...notFound(id) }),
    () =>
      ctx.repo.update(tenantId, id, (cur) => {
        checkIfMatch(ifMatch, cur.version);
        const r = applyGroupPatch(cur.data, ops);
        checkMemberCount(namedMembers(r.memberChanges));
        if (ctx.track) changes = groupChangeSummary(cur.data, r.doc, r.memberChanges);
        write = groupWrite(r.doc);
        return { write, deltas: r.memberChanges.map(toDelta) };
      }),
  );
  const tracked = changes ? { changes } : {};
  if (p === null) return { etag: etagOf(rec.version), id: rec.id, ...tracked };
  return { ...(await getGroup(ctx, tenantId, id, p)), ...tracked };
}

async function removeGroup(ctx: Ctx, tenantId: string, id: string, ifMatch: string | undefined): Promise<void> {
  const check = ifMatch ? (v: number) => checkIfMatch(ifMatch, v) : undefined;
  const ok = await scimDb(notFound(id), () => ctx.repo.remove(tenantId, id, check));
  if (!ok) throw new NotFoundError(`Group ${id} not found`);
}

export function createGroupsService(deps: GroupsServiceDeps) {
  const ctx: Ctx = { repo: deps.repo, baseUrl: deps.baseUrl, track: deps.trackChanges ?? false, pageMaxBytes: deps.pageMaxBytes ?? PAGE_MAX_BYTES };
  return {
    render: (rec: GroupRecord) => render(ctx, rec),
    get: (tenantId: string, id: string, p: Projection) => getGroup(ctx, tenantId, id, p),
    listPage: (tenantId: string, q: ListParams, maxBytes = ctx.pageMaxBytes, atLeastOne = true) => listPage(ctx, tenantId, q, maxBytes, atLeastOne),
    async list(tenantId: string, q: ListParams): Promise<ListResult> {
      const page = await listPage(ctx, tenantId, q, ctx.pageMaxBytes, true);
      return { schemas: [LIST_URN], totalResults: page.total, itemsPerPage: page.resources.length, startIndex: q.startIndex, Resources: page.resources };
    },
    create: (tenantId: string, body: unknown, p: Projection = {}) => createGroup(ctx, tenantId, body, p),
    replace: (tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection = {}) => replaceGroup(ctx, tenantId, id, body, ifMatch, p),
    patch: (tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection | null) => patchGroup(ctx, tenantId, id, body, ifMatch, p),
    remove: (tenantId: string, id: string, ifMatch: string | undefined) => removeGroup(ctx, tenantId, id, ifMatch),
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
