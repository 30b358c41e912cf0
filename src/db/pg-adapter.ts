// The PostgreSQL driver adapter, instrumented for readiness: each statement's outcome feeds the
// StorageHealth that /readyz reports, as the SQLite adapter does for its writes. A pg pool
// reconnects by itself once the server is back, so a recent-failure window is all the state needed.
import { PrismaPg } from '@prisma/adapter-pg';
import { asStorageUnavailable } from './storage-errors.ts';
import type { StorageHealth } from './storage-health.ts';
import type { PgTarget } from './pg-url.ts';

type Queryable = {
  queryRaw(q: unknown): Promise<unknown>;
  executeRaw(q: unknown): Promise<unknown>;
};
type Adapter = Queryable & { startTransaction(isolation?: unknown): Promise<Queryable & { commit(): Promise<void> }> };

// Only a write that succeeds proves the database takes writes again (a read-only or full server
// still answers SELECTs), so reads, the readiness probe's SELECT 1 included, do not clear a fault.
const NOT_A_WRITE = /^\s*(SELECT|SHOW|SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

// PostgreSQL text cannot hold U+0000 (SQLSTATE 22021) while SQLite stores it. A NUL bound as a
// parameter would fail the whole statement: a lookup of an id containing one would answer 500
// instead of "not found", and an activity row recording such a request would fail its batch
// at every flush. Bound as U+FFFD, a lookup finds nothing (no stored value holds a NUL) and a
// write stores the replacement character. JSON documents are unaffected: JSON.stringify writes
// a NUL as the six characters \u0000.
const NUL = /\u0000/g;
function withoutNul(query: unknown): unknown {
  const q = query as { args?: unknown[] };
  if (!Array.isArray(q.args) || !q.args.some((a) => typeof a === 'string' && a.includes('\u0000'))) return query;
  return { ...q, args: q.args.map((a) => (typeof a === 'string' ? a.replace(NUL, '\uFFFD') : a)) };
}

function observe<T extends Queryable>(q: T, health: StorageHealth): T {
  for (const name of ['queryRaw', 'executeRaw'] as const) {
    const original = q[name].bind(q);
    q[name] = async (query: unknown) => {
      try {
        const result = await original(withoutNul(query));
        if (!NOT_A_WRITE.test((query as { sql?: string }).sql ?? '')) health.success();
        return result;
      } catch (e) {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
        throw e;
      }
    };
  }
  return q;
}

export class PgAdapterFactory extends PrismaPg {
  readonly #health: StorageHealth;
  constructor(target: PgTarget, health: StorageHealth) {
    super(target.pool, {
      schema: target.schema,
      // An idle pooled connection that the server drops (restart, failover) is replaced at the next
      // query; the error event must only be noted, or it would crash the process.
      onPoolError: (e) => {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
      },
    });
    this.#health = health;
  }

  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = (await super.connect()) as unknown as Adapter;
    const health = this.#health;
    observe(adapter, health);
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolation?: unknown) => {
      try {
        return observe(await start(isolation), health);
      } catch (e) {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
        throw e;
      }
    };
    return adapter as unknown as Awaited<ReturnType<PrismaPg['connect']>>;
  }
}
