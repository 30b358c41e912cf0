// prisma/postgresql/schema.prisma is derived from prisma/schema.prisma (scripts/derive-pg-schema.sh):
// a model change made in the source but not carried over would give PostgreSQL a different client.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';

const ROOT = path.resolve(import.meta.dirname, '..');

t.test('the committed PostgreSQL schema is the derivation of prisma/schema.prisma', async (t) => {
  const r = spawnSync('bash', ['scripts/derive-pg-schema.sh', '--check'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr || 'up to date');
});
