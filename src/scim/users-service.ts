// SCIM semantics for Users: load → pure core (resources/, patch/, filter/) → save, one transaction
// per write (in the repository), every call scoped to one tenant.
import { randomUUID } from 'node:crypto';
import type { UserOrderBy, UserWhere, UsersRepo, UserRecord, UserWrite } from '../db/scim-users.ts';
import { NotFoundError } from './errors.ts';
import { scimDb, userNameInUse, type DbErrorWords } from './db-errors.ts';
import { checkIfMatch, etagOf } from './etag.ts';
import type { ListParams, Projection } from './list-params.ts';
import { LIST_URN, requireObject } from './media.ts';
import { parseFilter } from './filter/parse.ts';
import { userWhere, userOrderBy } from './filter/to-where.ts';
import { userKeyLookup } from './filter/key-lookup.ts';
import { USER_VALUE_ATTRS, userFromScim, userToScim, userIndex } from './resources/user.ts';
import { PAGE_FETCH_ROWS, checkResourceSize, checkValueCount } from './limits.ts';
import { boundedPage, type BoundedPage } from './page-budget.ts';
import { project } from './resources/project.ts';
import { parsePatchRequest, applyUserPatch } from './patch/apply.ts';
import { secretsInBody, secretsInPatch, userChangeSummary } from './change-summary.ts';
import type { ChangeSummary } from '../activity/changes.ts';

export type Resource = Record<string, unknown>;
export interface Single {
  resource: Resource;
  etag: string;
  version: number;
  id: string;
  location: string;
  /** PATCH/PUT with change tracking on: what the write changed, for the activity log. */
  changes?: ChangeSummary;
}
export interface ListResult {
  schemas: string[];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: Resource[];
}

/** Does the projection ask for the readOnly `groups` attribute (a join we skip otherwise)? */
export function wantsAttr(p: Projection, name: string): boolean {
  const n = name.toLowerCase();
  const hit = (list: string[] | undefined) =>
    !!list?.some((a) => {
      const x = a.toLowerCase();
      return x === n || x.startsWith(`${n}.`) || x.endsWith(`:${n}`) || x.includes(`:${n}.`);
    });
  if (p.attributes?.length) return hit(p.attributes);
  return !hit(p.excludedAttributes);
}

export function toWrite(doc: Resource): UserWrite {
  const { columns, values } = userIndex(doc);
  return { doc, columns, values, displayName: typeof doc.displayName === 'string' ? doc.displayName : null };
}

/** toWrite for a document about to be stored: PATCH can grow a multi-valued attribute past its
 * bound one `add` at a time, and only the whole document has a size. */
export function boundedWrite(doc: Resource): UserWrite {
  for (const attr of USER_VALUE_ATTRS) {
    const list = doc[attr];
    if (Array.isArray(list)) checkValueCount(list.length, attr);
  }
  const json = JSON.stringify(doc);
  checkResourceSize(json, 'User');
  return { ...toWrite(doc), json };
}

/** How a failed write of user `id` is worded: the userName it would have taken, the id missing. */
function updateWords(id: string, doc: Resource): DbErrorWords {
  return { unique: userNameInUse(doc.userName), notFound: `User ${id} not found` };
}

/** The default page byte budget (SCIM_PAGE_MAX_BYTES). */
export const PAGE_MAX_BYTES = 4 * 1048576;

export function createUsersService(deps: { repo: UsersRepo; baseUrl: string; pageMaxBytes?: number; trackChanges?: boolean }) {
  const { repo, baseUrl } = deps;
  // Off when activity recording is off: nothing would read the summary.
  const track = deps.trackChanges ?? false;
  const pageMaxBytes = deps.pageMaxBytes ?? PAGE_MAX_BYTES;

  function render(rec: UserRecord): Resource {
    return userToScim(
      { id: rec.id, data: rec.data, createdAt: rec.createdAt, updatedAt: rec.updatedAt, version: rec.version },
      {
        baseUrl,
        ...(rec.groups ? { groups: rec.groups } : {}),
        ...(rec.managerDisplayName !== undefined && rec.managerDisplayName !== null ? { managerDisplayName: rec.managerDisplayName } : {}),
      },
    );
  }

  function single(rec: UserRecord, p: Projection): Single {
    return {
      resource: project(render(rec), p, 'User'),
      etag: etagOf(rec.version),
      version: rec.version,
      id: rec.id,
      location: `${baseUrl}/Users/${rec.id}`,
    };
  }

  return {
    render,

    async get(tenantId: string, id: string, p: Projection): Promise<Single> {
      const rec = await scimDb({}, () => repo.get(tenantId, id, { groups: wantsAttr(p, 'groups') }));
      if (!rec) throw new NotFoundError(`User ${id} not found`);
      return single(rec, p);
    },

    /** A page within `maxBytes` of JSON (page-budget.ts), with what it used. */
    async listPage(tenantId: string, q: ListParams, maxBytes = pageMaxBytes, atLeastOne = true): Promise<BoundedPage> {
      const ast = q.filter ? parseFilter(q.filter) : null;
      const groups = wantsAttr(q, 'groups');
      // The whole collection or an Entra key lookup, in the default order: one SQL query.
      const key = q.sortBy ? undefined : ast ? (userKeyLookup(ast) ?? undefined) : null;
      const where: UserWhere | undefined = key === undefined ? (ast ? userWhere(ast) : {}) : undefined;
      const sorted: UserOrderBy[] = q.sortBy ? userOrderBy(q.sortBy, q.sortOrder) : [{ createdAt: 'asc' }];
      const orderBy: UserOrderBy[] | undefined = key === undefined ? [...sorted, { id: 'asc' }] : undefined;
      return boundedPage({
        startIndex: q.startIndex,
        count: q.count,
        maxBytes,
        atLeastOne,
        step: PAGE_FETCH_ROWS,
        fetch: (skip, take, withTotal) => {
          const page = { skip, take, groups, ...(withTotal ? {} : { total: false as const }) };
          return scimDb({}, () => (key !== undefined ? repo.findPage(tenantId, key, page) : repo.list(tenantId, { where: where!, orderBy: orderBy!, ...page })));
        },
        render: (r) => project(render(r), q, 'User'),
      });
    },

    async list(tenantId: string, q: ListParams): Promise<ListResult> {
      const page = await this.listPage(tenantId, q);
      return { schemas: [LIST_URN], totalResults: page.total, itemsPerPage: page.resources.length, startIndex: q.startIndex, Resources: page.resources };
    },

    async create(tenantId: string, body: unknown, p: Projection = {}): Promise<Single> {
      const doc = userFromScim(requireObject(body, 'User'));
      const rec = await scimDb({ unique: userNameInUse(doc.userName) }, () => repo.create(tenantId, randomUUID(), boundedWrite(doc)));
      return single(rec, p);
    },

    /** PUT (RFC 7644 §3.5.1): the body replaces the resource; id and readOnly attributes are the
     * server's (userFromScim drops id/meta/groups). */
    async replace(tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection = {}): Promise<Single> {
      const doc = userFromScim(requireObject(body, 'User'));
      let changes: ChangeSummary | undefined;
      const rec = await scimDb(updateWords(id, doc), () => repo.update(tenantId, id, (cur) => {
        checkIfMatch(ifMatch, cur.version);
        const write = { ...boundedWrite(doc), oldValues: toWrite(cur.data).values };
        if (track) changes = userChangeSummary(cur.data, doc, secretsInBody(body));
        return write;
      }, { groups: wantsAttr(p, 'groups') }));
      return { ...single(rec, p), ...(changes ? { changes } : {}) };
    },

    async patch(tenantId: string, id: string, body: unknown, ifMatch: string | undefined, p: Projection = {}): Promise<Single> {
      const ops = parsePatchRequest(requireObject(body, 'PatchOp'));
      let changes: ChangeSummary | undefined;
      let patched: Resource = {};
      const rec = await scimDb(() => updateWords(id, patched), () => repo.update(tenantId, id, (cur) => {
        checkIfMatch(ifMatch, cur.version);
        const oldValues = toWrite(cur.data).values;
        patched = applyUserPatch(cur.data, ops);
        const write = { ...boundedWrite(patched), oldValues };
        if (track) changes = userChangeSummary(cur.data, patched, secretsInPatch(ops));
        return write;
      }, { groups: wantsAttr(p, 'groups') }));
      return { ...single(rec, p), ...(changes ? { changes } : {}) };
    },

    async remove(tenantId: string, id: string, ifMatch: string | undefined): Promise<void> {
      const ok = await scimDb({}, () => repo.remove(tenantId, id, ifMatch ? (v) => checkIfMatch(ifMatch, v) : undefined));
      if (!ok) throw new NotFoundError(`User ${id} not found`);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
