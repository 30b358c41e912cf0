// Signing keys when several instances start together on an empty database: all of them must end up
// publishing and signing with the same one key (an ID token signed by one instance must verify
// against any instance's JWKS).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import t from 'tap';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { ensureSigningKeys, rotateSigningKey } from '../src/db/signing-keys.ts';
import { testDatabase } from './helpers/test-db.ts';

t.test('instances starting together create one first key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-keys-'));
  const database = testDatabase(dir);
  await migrate(database.url);
  const dbs = Array.from({ length: 4 }, () => createDb(database.url));
  t.teardown(async () => {
    for (const d of dbs) await d.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const dataKey = crypto.randomBytes(32);
  const sets = await Promise.all(dbs.map((d) => ensureSigningKeys(d, dataKey)));
  const kids = sets.map((s) => s.map((k) => k.kid).join(','));
  t.equal(new Set(kids).size, 1, 'every instance publishes the same key set');
  t.equal(sets[0].length, 1, 'one key');
  t.equal(await dbs[0].signingKey.count({ where: { retiredAt: null } }), 1, 'one active key stored');

  const again = await ensureSigningKeys(dbs[1], dataKey);
  t.same(again.map((k) => k.kid), sets[0].map((k) => k.kid), 'a later start reuses it');
  const rotated = await rotateSigningKey(dbs[2], dataKey);
  const after = await ensureSigningKeys(dbs[3], dataKey);
  t.equal(after[0].kid, rotated.kid, 'after a rotation the new key signs');
  t.ok(after.some((k) => k.kid === sets[0][0].kid), 'and the retired one stays published');
});
