// Bulk (RFC 7644 §3.7): operations run in order, each in its own transaction through the same
// services as single requests; "bulkId:<id>" in paths and data resolves to the id created by an
// earlier (or, after deferral, later) POST in the same request; failOnErrors stops the batch.
import type { Config } from '../config.ts';
import { InvalidSyntaxError, InvalidValueError, PayloadTooLargeError, ScimError } from './errors.ts';
import { BULK_RESPONSE_URN, requireObject } from './media.ts';
import type { UsersService } from './users-service.ts';
import type { GroupsService } from './groups-service.ts';

interface BulkOp {
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

export interface BulkOpResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

const REF = /^bulkId:(.+)$/;

/** A Bulk response holds no resources, only per-operation outcomes: with each error detail clipped
 * it stays within maxOperations × ~1.5 KiB plus the echoed bulkIds, whatever the operations did. */
const MAX_DETAIL_CHARS = 1024;

function failure(err: ScimError): Record<string, unknown> {
  const body = err.toJSON();
  return body.detail.length > MAX_DETAIL_CHARS ? { ...body, detail: `${body.detail.slice(0, MAX_DETAIL_CHARS)}…` } : body;
}

function refsIn(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    if (m) out.add(m[1]);
  } else if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => refsIn(x, out));
  return out;
}

function resolve(v: unknown, ids: Map<string, string>): unknown {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    return m && ids.has(m[1]) ? ids.get(m[1]) : v;
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, ids));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, ids)]));
  return v;
}

function decodePathSegment(segment: string, path: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidValueError(`Bulk path "${path.length > 200 ? `${path.slice(0, 200)}…` : path}" is not valid percent-encoded UTF-8`);
  }
}

function parseOps(body: unknown, scim: Config['scim']): { ops: BulkOp[]; failOnErrors: number } {
  const b = requireObject(body, 'BulkRequest');
  const list = b.Operations ?? b.operations;
  if (!Array.isArray(list)) throw new InvalidSyntaxError('BulkRequest needs an "Operations" array');
  if (list.length > scim.bulkMaxOperations) {
    throw new PayloadTooLargeError(`The bulk request has ${list.length} operations; the maximum is ${scim.bulkMaxOperations}`);
  }
  const foe = b.failOnErrors;
  if (foe !== undefined && foe !== null && (typeof foe !== 'number' || !Number.isInteger(foe) || foe < 1)) {
    throw new InvalidValueError('failOnErrors must be a positive integer');
  }
  const ops = list.map((raw, i) => {
    const o = requireObject(raw, `Operations[${i}]`);
    if (typeof o.method !== 'string' || typeof o.path !== 'string') throw new InvalidSyntaxError(`Operations[${i}] needs "method" and "path"`);
    if (o.bulkId !== undefined && typeof o.bulkId !== 'string') throw new InvalidSyntaxError(`Operations[${i}].bulkId must be a string`);
    return { method: o.method.toUpperCase(), bulkId: o.bulkId as string | undefined, version: typeof o.version === 'string' ? o.version : undefined, path: o.path, data: o.data };
  });
  return { ops, failOnErrors: typeof foe === 'number' ? foe : Infinity };
}

/** An operation of the request with its place in it (results are answered in request order). */
interface Pending {
  o: BulkOp;
  index: number;
}

interface Outcome {
  index: number;
  r: BulkOpResult;
}

/** What one Bulk request has done so far. */
interface BulkState {
  tenantId: string;
  failOnErrors: number;
  /** Every bulkId the request declares. */
  declared: Set<string>;
  /** bulkId → id of the resource its POST created. */
  ids: Map<string, string>;
  /** bulkIds whose operation failed. */
  failed: Set<string>;
  results: Outcome[];
  errors: number;
}

function bulkIdOf(o: BulkOp): { bulkId?: string } {
  return o.bulkId !== undefined ? { bulkId: o.bulkId } : {};
}

function failedOutcome(p: Pending, err: ScimError): Outcome {
  return { index: p.index, r: { method: p.o.method, ...bulkIdOf(p.o), status: String(err.status), response: failure(err) } };
}

/** The bulkIds an operation references, in its path and anywhere in its data. */
function referencesOf(o: BulkOp): Set<string> {
  return refsIn(o.data, new Set([...o.path.matchAll(/bulkId:([^/?]+)/g)].map((m) => m[1])));
}

/** Forward references (RFC 7644 §3.7.1): an operation waits while a bulkId it references is
 * declared, not yet created, not failed and not its own. */
function mustWait(st: BulkState, o: BulkOp, refs: Set<string>): boolean {
  return [...refs].some((r) => !st.ids.has(r) && st.declared.has(r) && !st.failed.has(r) && r !== o.bulkId);
}

function withIdsResolved(o: BulkOp, ids: Map<string, string>): BulkOp {
  return { ...o, path: String(resolve(o.path.replace(/bulkId:[^/?]+/g, (s) => String(resolve(s, ids))), ids)), data: resolve(o.data, ids) };
}

export function createBulkService(deps: { users: UsersService; groups: GroupsService; config: Config }) {
  const { users, groups, config } = deps;

  async function runOne(tenantId: string, o: BulkOp): Promise<BulkOpResult> {
    const m = /^\/?(users|groups)(?:\/([^/?]+))?\/?$/i.exec(o.path);
    if (!m) throw new InvalidValueError(`Unsupported bulk path "${o.path}"`);
    const svc = m[1].toLowerCase() === 'users' ? users : groups;
    const type = m[1].toLowerCase() === 'users' ? 'Users' : 'Groups';
    const id = m[2] ? decodePathSegment(m[2], o.path) : undefined;
    const base = { method: o.method, ...bulkIdOf(o) };
    if (o.method === 'POST' && !id) {
      const one = await svc.create(tenantId, o.data);
      return { ...base, location: one.location, version: one.etag, status: '201' };
    }
    if (!id) throw new InvalidValueError(`${o.method} needs a resource id in the path`);
    switch (o.method) {
      case 'PUT': {
        const one = await svc.replace(tenantId, id, o.data, o.version);
        return { ...base, location: one.location, version: one.etag, status: '200' };
      }
      case 'PATCH': {
        const one = type === 'Users' ? await users.patch(tenantId, id, o.data, o.version) : await groups.patch(tenantId, id, o.data, o.version, null);
        return { ...base, location: `${config.publicUrl}/scim/v2/${type}/${id}`, version: one.etag, status: '200' };
      }
      case 'DELETE':
        await svc.remove(tenantId, id, o.version);
        return { ...base, location: `${config.publicUrl}/scim/v2/${type}/${id}`, status: '204' };
      default:
        throw new InvalidValueError(`Unsupported bulk method "${o.method}" on "${o.path}"`);
    }
  }

  /** Runs one operation whose references are settled; a SCIM error is its outcome, anything
   * else fails the whole request. */
  async function runPending(st: BulkState, p: Pending, refs: Set<string>): Promise<void> {
    try {
      const bad = [...refs].find((r) => !st.ids.has(r));
      if (bad) throw new ScimError(409, `bulkId "${bad}" cannot be resolved`, 'invalidValue');
      const r = await runOne(st.tenantId, withIdsResolved(p.o, st.ids));
      // The database driver answers synchronously, so without this a 1,000-operation Bulk
      // held the event loop for ~6 s: health checks, other tenants and the shutdown bound
      // waited behind it. One turn of the loop per operation costs microseconds.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (p.o.bulkId && r.location) st.ids.set(p.o.bulkId, r.location.slice(r.location.lastIndexOf('/') + 1));
      st.results.push({ index: p.index, r });
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
      st.errors++;
      if (p.o.bulkId) st.failed.add(p.o.bulkId);
      st.results.push(failedOutcome(p, err));
    }
  }

  /** One pass over the waiting operations: those whose references are settled run, the others
   * wait for the next pass. Returns those still waiting and whether anything ran. */
  async function pass(st: BulkState, pending: Pending[]): Promise<{ next: Pending[]; progressed: boolean }> {
    const next: Pending[] = [];
    let progressed = false;
    for (const p of pending) {
      if (st.errors >= st.failOnErrors) break;
      const refs = referencesOf(p.o);
      if (mustWait(st, p.o, refs)) {
        next.push(p);
        continue;
      }
      progressed = true;
      await runPending(st, p, refs);
    }
    return { next, progressed };
  }

  /** What can never be resolved (circular, or waiting on each other only) fails with 409. */
  function failUnresolvable(st: BulkState, stuck: Pending[]): void {
    for (const p of stuck) {
      if (st.errors >= st.failOnErrors) break;
      st.errors++;
      st.results.push(failedOutcome(p, new ScimError(409, 'Circular or unresolvable bulkId reference', 'invalidValue')));
    }
  }

  return {
    async run(tenantId: string, body: unknown, rawLength: number) {
      if (rawLength > config.scim.bulkMaxPayloadBytes) {
        throw new PayloadTooLargeError(`The bulk request is ${rawLength} bytes; the maximum is ${config.scim.bulkMaxPayloadBytes}`);
      }
      const { ops, failOnErrors } = parseOps(body, config.scim);
      const st: BulkState = {
        tenantId,
        failOnErrors,
        declared: new Set(ops.map((o) => o.bulkId).filter((x): x is string => !!x)),
        ids: new Map(),
        failed: new Set(),
        results: [],
        errors: 0,
      };
      let pending: Pending[] = ops.map((o, index) => ({ o, index }));
      while (pending.length && st.errors < failOnErrors) {
        const { next, progressed } = await pass(st, pending);
        if (!progressed) {
          failUnresolvable(st, next);
          break;
        }
        pending = next;
      }
      st.results.sort((a, b) => a.index - b.index);
      return { schemas: [BULK_RESPONSE_URN], Operations: st.results.map((x) => x.r) };
    },
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
