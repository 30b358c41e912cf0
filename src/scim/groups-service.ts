// SCIM semantics for Groups. Membership changes from PATCH are handed to the repository as a
// delta of member rows (add / remove values / remove all / replace / remove where), never as a
// rewritten member list.
import { randomUUID } from 'node:crypto';
import type { GroupsRepo, GroupRecord, GroupWrite, MemberDelta } from '../db/scim-groups.ts';
import { NotFoundError } from './errors.ts';
import { checkIfMatch, etagOf } from './etag.ts';
import type { ListParams, Projection } from './list-params.ts';
import { LIST_URN, requireObject } from './media.ts';
import { parseFilter } from './filter/parse.ts';
import { groupWhere, groupOrderBy } from './filter/to-where.ts';
import { groupFromScim, groupToScim, groupIndex } from './resources/group.ts';
import { project, wantsMembers } from './resources/project.ts';
import { parsePatchRequest, applyGroupPatch } from './patch/apply.ts';
import { memberMatcher } from './member-filter.ts';
import { PAGE_FETCH_GROUPS_WITH_MEMBERS, PAGE_FETCH_ROWS, checkMemberCount } from './limits.ts';
import { boundedPage, type BoundedPage } from './page-budget.ts';
import { PAGE_MAX_BYTES, type ListResult, type Resource, type Single } from './users-service.ts';
import { groupChangeSummary, groupReplaceSummary } from './change-summary.ts';
import type { ChangeSummary } from '../activity/changes.ts';

type MemberChange =
  | { op: 'add'; members: { value: string; type?: 'User' | 'Group' }[] }
  | { op: 'remove'; values: string[] }
  | { op: 'removeAll' }
  | { op: 'replace'; members: { value: string; type?: 'User' | 'Group' }[] }
  | { op: 'removeWhere'; filter: unknown };

export function groupWrite(doc: Resource): GroupWrite {
  const idx = groupIndex(doc as never) as unknown as { displayNameKey: string; externalId?: string | null };
  const dn = (doc as { displayName?: unknown }).displayName;
  return { doc, displayNameKey: idx.displayNameKey, externalId: idx.externalId ?? null, displayName: typeof dn === 'string' ? dn : '' };
}

function toDelta(c: MemberChange): MemberDelta {
  if (c.op === 'removeWhere') return { op: 'removeWhere', match: memberMatcher(c.filter) };
  return c;
}

/** Member values named by one PATCH, over all its operations (each was bounded alone). */
function namedMembers(changes: MemberChange[]): number {
  let n = 0;
  for (const c of changes) n += c.op === 'add' || c.op === 'replace' ? c.members.length : c.op === 'remove' ? c.values.length : 0;
  return n;
}

function members(p: Projection): boolean {
  return wantsMembers(p as never);
}

export function createGroupsService(deps: { repo: GroupsRepo; baseUrl: string; pageMaxBytes?: number; trackChanges?: boolean }) {
  const { repo, baseUrl } = deps;
  // Off when activity recording is off: nothing would read the summary.
  const track = deps.trackChanges ?? false;
  const pageMaxBytes = deps.pageMaxBytes ?? PAGE_MAX_BYTES;

  function render(rec: GroupRecord): Resource {
    return groupToScim(
      { id: rec.id, data: rec.data, createdAt: rec.createdAt, updatedAt: rec.updatedAt, version: rec.version } as never,
      { baseUrl, ...(rec.members ? { members: rec.members } : {}) } as never,
    ) as Resource;
  }

  function single(rec: GroupRecord, p: Projection): Single {
    return {
      resource: project(render(rec) as never, p as never, 'Group') as Resource,
      etag: etagOf(rec.version),
      version: rec.version,
      id: rec.id,
      location: `${baseUrl}/Groups/${rec.id}`,
    };
  }

  return {
    render,

    async get(tenantId: string, id: string, p: Projection): Promise<Single> {
      const rec = await repo.get(tenantId, id, { members: members(p) });
      if (!rec) throw new NotFoundError(`Group ${id} not found`);
      return single(rec, p);
    },

    /** A page within `maxBytes` of JSON (page-budget.ts), with what it used. */
    async listPage(tenantId: string, q: ListParams, maxBytes = pageMaxBytes, atLeastOne = true): Promise<BoundedPage> {
      const where = q.filter ? groupWhere(parseFilter(q.filter)) : {};
      const orderBy = [...(q.sortBy ? (groupOrderBy(q.sortBy, q.sortOrder) as object[]) : [{ createdAt: 'asc' }]), { id: 'asc' }];
      const withMembers = members(q);
      return boundedPage({
        startIndex: q.startIndex,
        count: q.count,
        maxBytes,
        atLeastOne,
        step: withMembers ? PAGE_FETCH_GROUPS_WITH_MEMBERS : PAGE_FETCH_ROWS,
        fetch: (skip, take, withTotal) =>
          repo.list(tenantId, { where: where as never, orderBy: orderBy as never, skip, take, members: withMembers, ...(withTotal ? {} : { total: false as const }) }),
        render: (r) => project(render(r) as never, q as never, 'Group') as Resource,
      });
    },

    async list(tenantId: string, q: ListParams): Promise<ListResult> {
      const page = await this.listPage(tenantId, q);
      return { schemas: [LIST_URN], totalResults: page.total, itemsPerPage: page.resources.length, startIndex: q.startIndex, Resources: page.resources };
    },

    async create(tenantId: string, body: unknown, p: Projection = {}): Promise<Single> {
      const { doc, members: refs } = groupFromScim(requireObject(body, 'Group') as never) as unknown as {
        doc: Resource;
        members: { value: string; type?: 'User' | 'Group' }[];
      };
      const id = randomUUID();
      await repo.create(tenantId, id, groupWrite(doc), refs);
      // Read back with members (display names) only when the response shows them.
      const rec = await repo.get(tenantId, id, { members: members(p) && refs.length > 0 });
      if (!rec) throw new NotFoundError(`Group ${id} not found`);
      if (!rec.members && members(p)) rec.members = [];
      return single(rec, p);
    },

    /** PUT replaces the resource, members included (RFC 7644 §3.5.1). */
    async replace(tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection = {}): Promise<Single> {
      const { doc, members: refs } = groupFromScim(requireObject(body, 'Group') as never) as unknown as {
        doc: Resource;
        members: { value: string; type?: 'User' | 'Group' }[];
      };
      let changes: ChangeSummary | undefined;
      await repo.update(tenantId, id, (cur) => {
        checkIfMatch(ifMatch, cur.version);
        if (track) changes = groupReplaceSummary(cur.data as Resource, doc, refs.length);
        return { write: groupWrite(doc), deltas: [{ op: 'replace', members: refs }] };
      });
      const one = await this.get(tenantId, id, p);
      return changes ? { ...one, changes } : one;
    },

    /** PATCH; returns null when the caller asked for no representation (Entra prefers 204 for
     * groups, entra-protocol.md Q24), so the member list is not loaded for nothing. */
    async patch(tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection | null): Promise<Single | { etag: string; id: string; changes?: ChangeSummary }> {
      const ops = parsePatchRequest(requireObject(body, 'PatchOp') as never);
      let changes: ChangeSummary | undefined;
      const rec = await repo.update(tenantId, id, (cur) => {
        checkIfMatch(ifMatch, cur.version);
        const r = applyGroupPatch(cur.data as never, ops) as unknown as { doc: Resource; memberChanges: MemberChange[] };
        checkMemberCount(namedMembers(r.memberChanges));
        if (track) changes = groupChangeSummary(cur.data as Resource, r.doc, r.memberChanges as never);
        return { write: groupWrite(r.doc), deltas: r.memberChanges.map(toDelta) };
      });
      const tracked = changes ? { changes } : {};
      if (p === null) return { etag: etagOf(rec.version), id: rec.id, ...tracked };
      return { ...(await this.get(tenantId, id, p)), ...tracked };
    },

    async remove(tenantId: string, id: string, ifMatch: string | undefined): Promise<void> {
      const ok = await repo.remove(tenantId, id, ifMatch ? (v) => checkIfMatch(ifMatch, v) : undefined);
      if (!ok) throw new NotFoundError(`Group ${id} not found`);
    },
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
