// The PostgreSQL driver adapter, instrumented for readiness: each statement's outcome feeds the
// StorageHealth that /readyz reports, as the SQLite adapter does for its writes. A pg pool
// reconnects by itself once the server is back, so a recent-failure window is all the state needed.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { asStorageUnavailable } from './storage-errors.ts';
import type { StorageHealth } from './storage-health.ts';
import type { PgTarget } from './pg-url.ts';

type Queryable = {
  queryRaw(q: unknown): Promise<unknown>;
  executeRaw(q: unknown): Promise<unknown>;
};
type Adapter = Queryable & { startTransaction(isolation?: unknown): Promise<Queryable & { commit(): Promise<void>; rollback(): Promise<void> }> };

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

/** Statements and transactions under way, so that closing can wait for them (see settle()). */
class InFlight {
  count = 0;
  #idle: (() => void)[] = [];
  enter(): void {
    this.count++;
  }
  leave(): void {
    this.count--;
    if (this.count === 0) for (const f of this.#idle.splice(0)) f();
  }
  /** Resolves when nothing is under way, or after `ms`. */
  settled(ms: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function observe<T extends Queryable>(q: T, health: StorageHealth, inFlight: InFlight): T {
  for (const name of ['queryRaw', 'executeRaw'] as const) {
    const original = q[name].bind(q);
    q[name] = async (query: unknown) => {
      inFlight.enter();
      try {
        const result = await original(withoutNul(query));
        if (!NOT_A_WRITE.test((query as { sql?: string }).sql ?? '')) health.success();
        return result;
      } catch (e) {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
        throw e;
      } finally {
        inFlight.leave();
      }
    };
  }
  return q;
}

type Tx = Queryable & { commit(): Promise<void>; rollback(): Promise<void> };

/** A transaction counts as under way from BEGIN until its COMMIT or ROLLBACK has answered. */
function observeTx(tx: Tx, inFlight: InFlight): Tx {
  inFlight.enter();
  let open = true;
  const end = () => {
    if (open) {
      open = false;
      inFlight.leave();
    }
  };
  for (const name of ['commit', 'rollback'] as const) {
    const original = tx[name].bind(tx);
    tx[name] = async () => {
      try {
        await original();
      } finally {
        end();
      }
    };
  }
  return tx;
}

export class PgAdapterFactory extends PrismaPg {
  readonly #health: StorageHealth;
  readonly #inFlight = new InFlight();
  readonly #pool: pg.Pool;
  readonly #clients = new Set<pg.PoolClient>();
  constructor(target: PgTarget, health: StorageHealth) {
    const pool = new pg.Pool(target.pool);
    super(pool, {
      schema: target.schema,
      // An idle pooled connection that the server drops (restart, failover) is replaced at the next
      // query; the error event must only be noted, or it would crash the process.
      onPoolError: (e) => {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
      },
    });
    this.#health = health;
    this.#pool = pool;
    pool.on('connect', (c) => this.#clients.add(c));
    pool.on('remove', (c) => this.#clients.delete(c));
  }

  /**
   * Closing: Prisma's $disconnect, when a statement or transaction is still under way (a write
   * that nobody awaits, racing a shutdown), stops between BEGIN and the next statement and leaves
   * that connection "idle in transaction" for ever; the pool then never ends and the process
   * never exits. So wait for what is under way first (bounded), then disconnect (bounded), then
   * end the pool, destroying any connection still checked out: PostgreSQL rolls its transaction back.
   */
  async close(disconnect: () => Promise<void>, waitMs: number): Promise<void> {
    await this.#inFlight.settled(waitMs);
    await Promise.race([disconnect(), sleep(waitMs)]);
    for (const c of this.#clients) (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    await Promise.race([this.#pool.end().catch(() => {}), sleep(waitMs)]);
  }

  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = (await super.connect()) as unknown as Adapter;
    const health = this.#health;
    const inFlight = this.#inFlight;
    observe(adapter, health, inFlight);
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolation?: unknown) => {
      try {
        return observeTx(observe((await start(isolation)) as Tx, health, inFlight), inFlight);
      } catch (e) {
        const fault = asStorageUnavailable(e);
        if (fault) health.failure(fault.reason);
        throw e;
      }
    };
    return adapter as unknown as Awaited<ReturnType<PrismaPg['connect']>>;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
