// The console's audit search selects the same rows on SQLite and PostgreSQL: a term is literal
// (`%`, `_` and `\` are not wildcards), ASCII letters match in any case, and the date range and
// outcome narrow it in the database. Real database (SQLite file, or PostgreSQL schema).
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { insertAudit, listAudit } from '../src/db/audit.ts';

t.test('audit search is literal, ASCII-case-insensitive and paged the same on both databases', async (t) => {
  const db = await freshDb(t);
  for (const [id, domain] of [['ta', 'a.test'], ['tb', 'b.test']]) await db.tenant.create({ data: { id, domain, domainKey: domain, name: domain } });
  const base = Date.parse('2026-11-01T00:00:00Z');
  const row = (i: number, tenantId: string, actor: string, target: string, outcome: 'success' | 'failure' = 'success') =>
    insertAudit(db, { tenantId, at: new Date(base + i * 3_600_000), event: 'manager.create', actor, ip: null, outcome, target, detail: null });
  await row(0, 'ta', 'Alice Admin', 'bob_viewer');
  await row(1, 'ta', 'Alice Admin', 'bobXviewer');
  await row(2, 'ta', 'carol', '100% sure', 'failure');
  await row(3, 'ta', 'carol', 'back\\slash');
  await row(4, 'ta', 'ÉMILE', 'x');
  await row(5, 'tb', 'Alice Admin', 'bob_viewer');
  const search = async (s: string, extra: Record<string, unknown> = {}) => (await listAudit(db, 'ta', { search: s, page: 1, pageSize: 10, ...extra })).items.map((r) => r.target);

  t.same(await search('ALICE admin'), ['bobXviewer', 'bob_viewer'], 'ASCII letters in any case, newest first, own tenant only');
  t.same(await search('bob_v'), ['bob_viewer'], '`_` is literal');
  t.same(await search('0%'), ['100% sure'], '`%` is literal');
  t.same(await search('%'), ['100% sure'], 'a lone `%` matches only a literal percent sign');
  t.same(await search('k\\s'), ['back\\slash'], '`\\` is literal');
  t.same(await search('émile'), [], 'non-ASCII letters compare exactly on both databases');
  t.same(await search('ÉMILE'), ['x'], '…and match when written the same');
  t.same(await search('MANAGER.'), ['x', 'back\\slash', '100% sure', 'bobXviewer', 'bob_viewer'], 'the event name is searched too');
  t.same(await search('carol', { outcome: 'failure' }), ['100% sure'], 'outcome narrows the search');
  t.same(await search('a', { from: new Date(base + 1 * 3_600_000), to: new Date(base + 3 * 3_600_000) }), ['100% sure', 'bobXviewer'], 'the range is [from, to)');
  const page2 = await listAudit(db, 'ta', { search: 'manager', page: 2, pageSize: 2 });
  t.same([page2.items.map((r) => r.target), page2.total], [['100% sure', 'bobXviewer'], 5], 'page 2 of 2-row pages, and the total of all matches');
  const all = await listAudit(db, 'ta', { page: 1, pageSize: 10 });
  t.equal(all.total, 5, 'without a search: every row of the tenant');
});
