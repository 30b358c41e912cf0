// The recorder's memory between flushes. Adding an entry only touches memory (it runs inside the
// SCIM response hook): a row when the request changed data or failed, the hourly counter for every
// request, and the connection's last-seen time. Counters and last-seen times are merged by key, so
// a batch that failed to write can be put back without counting anything twice.
import type { ActivityBatch, ActivityRowInput, HourlyDelta, LastSeen } from '../db/activity.ts';
import { hourOf, isFailure, isWrite } from './classify.ts';
import type { ActivityEntry } from './types.ts';

/** A failure's detail is kept for the console, not as a log: the first thousand characters. */
const DETAIL_MAX = 1000;

const hourlyKey = (d: HourlyDelta) => `${d.tenantId}\u0000${d.hour.getTime()}\u0000${d.grantId}`;
const seenKey = (s: LastSeen) => `${s.tenantId}\u0000${s.grantId ?? ''}\u0000${s.grantId ? '' : (s.clientId ?? '')}`;

function toRow(e: ActivityEntry, failure: boolean): ActivityRowInput {
  return {
    tenantId: e.tenantId,
    at: e.at,
    grantId: e.grantId ?? null,
    clientId: e.clientId ?? null,
    method: e.method,
    operation: e.operation,
    resourceType: e.resourceType ?? null,
    resourceId: e.resourceId ?? null,
    status: e.status,
    outcome: failure ? 'failure' : 'success',
    scimType: e.scimType ?? null,
    detail: e.detail ? e.detail.slice(0, DETAIL_MAX) : null,
    durationMs: Math.max(0, Math.round(e.durationMs)),
    changes: e.changes ? JSON.stringify(e.changes) : null,
  };
}

export class ActivityBuffer {
  private rows: ActivityRowInput[] = [];
  private hourly = new Map<string, HourlyDelta>();
  private lastSeen = new Map<string, LastSeen>();

  /** Rows waiting for a flush. */
  get pending(): number {
    return this.rows.length;
  }

  get empty(): boolean {
    return this.rows.length === 0 && this.hourly.size === 0 && this.lastSeen.size === 0;
  }

  add(e: ActivityEntry): void {
    const failure = isFailure(e);
    const write = isWrite(e);
    // Client-credentials tokens have no grant: count them under their client so the overview can
    // show requests per API client too.
    const grantKey = e.grantId ?? (e.clientId ? `client:${e.clientId}` : '');
    this.mergeHourly({ tenantId: e.tenantId, hour: hourOf(e.at), grantId: grantKey, requests: 1, failures: failure ? 1 : 0, writes: write ? 1 : 0 });
    if (e.grantId || e.clientId) this.mergeSeen({ tenantId: e.tenantId, grantId: e.grantId ?? null, clientId: e.clientId ?? null, at: e.at });
    if (write || failure) this.rows.push(toRow(e, failure));
  }

  /** Everything added so far, leaving the buffer empty. */
  take(): ActivityBatch {
    const batch = { rows: this.rows, hourly: [...this.hourly.values()], lastSeen: [...this.lastSeen.values()] };
    this.rows = [];
    this.hourly = new Map();
    this.lastSeen = new Map();
    return batch;
  }

  /** A batch that could not be written goes back in front of what arrived meanwhile. */
  putBack(batch: ActivityBatch): void {
    this.rows = batch.rows.concat(this.rows);
    for (const d of batch.hourly) this.mergeHourly(d);
    for (const s of batch.lastSeen) this.mergeSeen(s);
  }

  private mergeHourly(d: HourlyDelta): void {
    const k = hourlyKey(d);
    const cur = this.hourly.get(k);
    if (!cur) this.hourly.set(k, d);
    else {
      cur.requests += d.requests;
      cur.failures += d.failures;
      cur.writes += d.writes;
    }
  }

  private mergeSeen(s: LastSeen): void {
    const k = seenKey(s);
    const cur = this.lastSeen.get(k);
    if (!cur) this.lastSeen.set(k, s);
    else if (cur.at < s.at) cur.at = s.at;
  }
}
