// Prisma CLI configuration: JS schema engine + libsql adapter, so no native engine download is
// needed (stack-notes.md). The CLI is only used to author migrations; the server applies them itself
// (src/db/migrate.ts).
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { defineConfig } from 'prisma/config';
import { PrismaLibSQL } from '@prisma/adapter-libsql';

const url = process.env.DATABASE_URL ?? 'file:./data/securelogin.db';
if (url.startsWith('file:')) fs.mkdirSync(path.dirname(url.slice(5)), { recursive: true });

class LibSQLWithFileShadow extends PrismaLibSQL {
  // libsql's default shadow db is :memory: and runs only the first statement of a migration,
  // which reports false drift (stack-notes.md); a temporary file + executeScript fixes it.
  override async connectToShadowDb() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-shadow-'));
    const shadow = new PrismaLibSQL({ url: `file:${path.join(dir, 'shadow.db')}` });
    return shadow.connect();
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new LibSQLWithFileShadow({ url });
  },
});
