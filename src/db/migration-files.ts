// The committed migration folders of one provider, as both start-up migrators read them: in name
// order, each with Prisma's checksum (SHA-256 of migration.sql), so `prisma migrate status` agrees
// with what we record in `_prisma_migrations`.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations in `dir` that are not in `done`, oldest first. */
export function pendingMigrations(dir: string, done: ReadonlySet<string>): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !done.has(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}
