// A migrated database of a test's own (real database, no fakes: a SQLite file, or a PostgreSQL
// schema when TEST_DATABASE_URL is set), closed and removed after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { testDatabase } from './test-db.ts';

export async function freshDb(t: { teardown(fn: () => unknown): void }): Promise<Db> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-db-'));
  const database = testDatabase(dir);
  const url = database.url;
  await migrate(url);
  const db = createDb(url);
  t.teardown(async () => {
    await db.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}
