// A migrated SQLite file of a test's own (real database, no fakes), closed and removed after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export async function freshDb(t: { teardown(fn: () => unknown): void }): Promise<Db> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-db-'));
  const url = `file:${path.join(dir, 'test.db')}`;
  await migrate(url);
  const db = createDb(url);
  t.teardown(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}
