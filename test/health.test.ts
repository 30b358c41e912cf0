import t from 'tap';
import { startServer } from './helpers/server.ts';

t.test('healthz and readyz answer over real HTTP on a migrated database', async (t) => {
  const s = await startServer(t);
  const h = await fetch(`${s.url}/healthz`);
  t.equal(h.status, 200);
  const r = await fetch(`${s.url}/readyz`);
  t.equal(r.status, 200);
  t.same(await r.json(), { status: 'ok', database: 'ok' });
});
