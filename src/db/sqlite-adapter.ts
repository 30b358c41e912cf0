// Prisma's libsql adapter on one long-lived SQLite connection.
//
// @libsql/client's `transaction()` hands its connection to the transaction and lazily opens a new
// one for the next statement, and the transaction never closes the one it took. Under Prisma every
// write is a transaction, so every write opened a connection (cold page cache, schema re-parsed on
// the next prepare) and leaked the old one until GC: the benchmark showed ~25 % of server CPU in
// libsql prepare/open and an 800 MB peak RSS. The adapter already serialises all I/O through one
// mutex and holds it for a whole transaction, so nothing else can use the connection meanwhile:
// BEGIN/COMMIT on the same connection is safe and keeps its caches warm.
import { LibsqlError, type Client, type Config, type InStatement, type ResultSet, type TransactionMode } from '@libsql/client';
import Database from 'libsql';
import { PrismaLibSQL } from '@prisma/adapter-libsql';

// Per-connection settings, applied once when the connection opens.
// - synchronous=NORMAL: in WAL mode a commit no longer waits for fsync; the database cannot be
//   corrupted by a crash, only the last commits before a power loss can be lost (SQLite docs,
//   "WAL mode... synchronous=NORMAL"). Entra re-sends whatever it did not see confirmed.
// - busy_timeout: the CLI or a second process may hold the write lock briefly; wait, don't fail.
const CONNECTION_PRAGMAS = ['PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000', 'PRAGMA foreign_keys = ON'];

const BEGIN: Record<TransactionMode, string> = { write: 'BEGIN IMMEDIATE', read: 'BEGIN TRANSACTION READONLY', deferred: 'BEGIN DEFERRED' };

// Prisma's adapter calls exactly these on a transaction (execute, commit, rollback) and on the
// client (execute, transaction, executeMultiple, close); nothing else is implemented.
class SameConnectionTransaction {
  #client: SingleConnectionClient;
  #open = true;
  constructor(client: SingleConnectionClient) {
    this.#client = client;
  }
  async execute(stmt: InStatement): Promise<ResultSet> {
    if (!this.#open) throw new Error('The transaction is closed');
    return this.#client.execute(stmt);
  }
  async commit(): Promise<void> {
    if (!this.#open) throw new Error('The transaction is closed');
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
}

const STATEMENT_CACHE_SIZE = 500;
// How long a side write waits for an open Prisma transaction to end before giving up.
const DIRECT_WAIT_MS = 5000;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// The parts of the `libsql` driver used here (its bundled typings are better-sqlite3's).
interface Statement {
  readonly reader: boolean;
  raw(on: boolean): unknown;
  safeIntegers(on: boolean): unknown;
  columns(): { name: string; type: string | null }[];
  all(args: unknown[]): unknown[];
  run(args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface Connection {
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  close(): unknown;
}

interface Prepared {
  stmt: Statement;
  reader: boolean;
  columns: string[];
  columnTypes: string[];
}

// Values in and out, as @libsql/client converts them with its default intMode "number". A Date
// (only side writes pass one; Prisma's adapter has already turned its own into strings) is stored
// as the adapter stores DateTime, ISO 8601 with +00:00, so stored values compare and sort alike.
function toSql(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return v;
}

function fromSql(v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v < MIN_SAFE || v > MAX_SAFE) throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    return Number(v);
  }
  if (v instanceof Buffer) return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  return v;
}

/**
 * The part of @libsql/client's Client that Prisma's adapter uses, on one connection of the
 * `libsql` driver (the one @libsql/client wraps), with two differences that matter on the hot path:
 * prepared statements are cached by SQL text (Prisma's SQL is parameterised, so the set is small;
 * preparing was 7-14 % of server CPU), and readers are told apart with `stmt.reader` rather than
 * by catching the exception `raw()` throws for writes. Transactions stay on this connection (see
 * the header).
 */
class SingleConnectionClient {
  #db: Connection;
  #cache = new Map<string, Prepared>();
  closed = false;

  constructor(file: string) {
    this.#db = new Database(file) as unknown as Connection;
    for (const sql of CONNECTION_PRAGMAS) {
      const stmt = this.#db.prepare(sql); // some pragmas answer with a row: exec() refuses those
      if (stmt.reader) stmt.all([]);
      else stmt.run([]);
    }
  }

  #prepare(sql: string): Prepared {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Refresh its place: the cache evicts the least recently used statement.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    const stmt = this.#db.prepare(sql);
    const reader = stmt.reader;
    let columns: string[] = [];
    let columnTypes: string[] = [];
    if (reader) {
      stmt.raw(true);
      stmt.safeIntegers(true);
      const cols = stmt.columns();
      columns = cols.map((c) => c.name);
      columnTypes = cols.map((c) => c.type ?? '');
    }
    const p = { stmt, reader, columns, columnTypes };
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, p);
    return p;
  }

  async execute(stmtOrSql: InStatement): Promise<ResultSet> {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    const sql = typeof stmtOrSql === 'string' ? stmtOrSql : stmtOrSql.sql;
    const rawArgs = typeof stmtOrSql === 'string' ? [] : stmtOrSql.args ?? [];
    if (!Array.isArray(rawArgs)) throw new TypeError('named arguments are not supported');
    const args = rawArgs.map(toSql);
    try {
      const p = this.#prepare(sql);
      if (p.reader) {
        const rows = (p.stmt.all(args) as unknown[][]).map((r) => r.map(fromSql));
        return { columns: p.columns, columnTypes: p.columnTypes, rows, rowsAffected: 0, lastInsertRowid: undefined } as unknown as ResultSet;
      }
      const info = p.stmt.run(args);
      return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) } as unknown as ResultSet;
    } catch (e) {
      throw toLibsqlError(e);
    }
  }

  async transaction(mode: TransactionMode = 'deferred'): Promise<SameConnectionTransaction> {
    await this.execute(BEGIN[mode]);
    return new SameConnectionTransaction(this);
  }

  async executeMultiple(sql: string): Promise<void> {
    const inside = this.#db.inTransaction;
    try {
      this.#db.exec(sql);
    } catch (e) {
      throw toLibsqlError(e);
    } finally {
      // As @libsql/client: a script run outside a transaction must not leave one open behind it.
      if (!inside && this.#db.inTransaction) this.#db.exec('ROLLBACK');
    }
  }

  /**
   * Runs write statements in one transaction straight on the driver, for bulk side writes (the
   * activity log) whose bound parameters cost ~6x more through Prisma's raw-query path than the
   * statement itself. Safe beside Prisma: every statement here runs synchronously, so nothing
   * else can touch the connection between BEGIN and COMMIT; it only waits while a Prisma
   * transaction is open (those span awaits).
   */
  async writeAtomically(statements: { sql: string; args: unknown[] }[]): Promise<void> {
    const deadline = Date.now() + DIRECT_WAIT_MS;
    while (this.#db.inTransaction && !this.closed) {
      // The caller (the activity recorder) keeps its batch and retries on the next flush.
      if (Date.now() > deadline) throw new LibsqlError('A transaction stayed open too long for a side write', 'SQLITE_BUSY');
      await new Promise((r) => setTimeout(r, 1));
    }
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const s of statements) this.#prepare(s.sql).stmt.run(s.args.map(toSql));
      this.#db.exec('COMMIT');
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw toLibsqlError(e);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#cache.clear();
    this.#db.close();
  }
}

/** Errors shaped as @libsql/client's, which Prisma's adapter maps (e.g. 2067 → unique violation). */
function toLibsqlError(e: unknown): unknown {
  const err = e as { message?: string; code?: string; rawCode?: number };
  if (e instanceof Error && typeof err.code === 'string' && typeof err.rawCode === 'number') return new LibsqlError(e.message, err.code, err.rawCode, e);
  return e;
}

/** The adapter factory the application uses for SQLite. */
export interface DirectWriter {
  writeAtomically(statements: { sql: string; args: unknown[] }[]): Promise<void>;
}

export class SqliteAdapterFactory extends PrismaLibSQL {
  #client: SingleConnectionClient | null = null;

  override createClient(config: Config): Client {
    const file = config.url.replace(/^file:/, '');
    this.#client = new SingleConnectionClient(file);
    return this.#client as unknown as Client;
  }

  /** The live connection for side writes, once Prisma has opened it. */
  directWriter(): DirectWriter | null {
    return this.#client && !this.#client.closed ? this.#client : null;
  }
}
