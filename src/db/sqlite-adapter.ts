// Prisma's libsql adapter on one long-lived SQLite connection.
//
// @libsql/client's `transaction()` hands its connection to the transaction and lazily opens a new
// one for the next statement, and the transaction never closes the one it took. Under Prisma every
// write is a transaction, so every write opened a connection (cold page cache, schema re-parsed on
// the next prepare) and leaked the old one until GC: the benchmark showed ~25 % of server CPU in
// libsql prepare/open and an 800 MB peak RSS. The adapter already serialises all I/O through one
// mutex and holds it for a whole transaction, so nothing else can use the connection meanwhile:
// BEGIN/COMMIT on the same connection is safe and keeps its caches warm.
import { createClient, type Client, type Config, type InStatement, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';
import { PrismaLibSQL } from '@prisma/adapter-libsql';

// Per-connection settings, applied once when the connection opens.
// - synchronous=NORMAL: in WAL mode a commit no longer waits for fsync; the database cannot be
//   corrupted by a crash, only the last commits before a power loss can be lost (SQLite docs,
//   "WAL mode... synchronous=NORMAL"). Entra re-sends whatever it did not see confirmed.
// - busy_timeout: the CLI or a second process may hold the write lock briefly; wait, don't fail.
const CONNECTION_PRAGMAS = ['PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000', 'PRAGMA foreign_keys = ON'];

const BEGIN: Record<TransactionMode, string> = { write: 'BEGIN IMMEDIATE', read: 'BEGIN TRANSACTION READONLY', deferred: 'BEGIN DEFERRED' };

class SameConnectionTransaction implements Transaction {
  #client: Client;
  #open = true;
  constructor(client: Client) {
    this.#client = client;
  }
  get closed(): boolean {
    return !this.#open;
  }
  #check(): void {
    if (!this.#open) throw new Error('The transaction is closed');
  }
  async execute(stmt: InStatement): Promise<ResultSet> {
    this.#check();
    return this.#client.execute(stmt);
  }
  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const out: ResultSet[] = [];
    for (const s of stmts) out.push(await this.execute(s));
    return out;
  }
  async executeMultiple(sql: string): Promise<void> {
    this.#check();
    return this.#client.executeMultiple(sql);
  }
  async commit(): Promise<void> {
    this.#check();
    this.#open = false;
    try {
      await this.#client.execute('COMMIT');
    } catch (err) {
      // A failed COMMIT (SQLITE_BUSY) leaves the transaction open on the shared connection; close it
      // so the next statement does not run inside it.
      await this.#client.execute('ROLLBACK').catch(() => {});
      throw err;
    }
  }
  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#client.execute('ROLLBACK');
  }
  close(): void {
    if (this.#open) void this.rollback().catch(() => {});
  }
}

/** A libsql client whose transactions run on its own connection (see the header). */
function singleConnectionClient(config: Config): Client {
  const inner = createClient(config);
  const ready = (async () => {
    for (const p of CONNECTION_PRAGMAS) await inner.execute(p);
  })();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return async (mode: TransactionMode = 'deferred') => {
          await ready;
          await target.execute(BEGIN[mode]);
          return new SameConnectionTransaction(target);
        };
      }
      if (prop === 'execute') {
        return async (stmt: InStatement) => {
          await ready;
          return target.execute(stmt);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The adapter factory the application uses for SQLite. */
export class SqliteAdapterFactory extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return singleConnectionClient(config);
  }
}
