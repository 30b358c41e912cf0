// Crash campaign: the real server process under concurrent SCIM writers, killed with SIGKILL
// mid-flight several times and restarted on the same file. Every write it acknowledged (201) must
// be there afterwards, and SQLite's integrity check must pass.
import path from 'node:path';
import t from 'tap';
import Database from 'libsql';
import { spawnServer, tempDir, tenantToken, type Spawned } from './helpers/spawned-server.ts';

// Writers as fast as they can go: the per-tenant rate limit (its own test) stays out of the figures.
const NO_RATE_LIMIT = { SCIM_RATE_LIMIT: 'off' };
import { sqliteOnly } from './helpers/test-db.ts';

const ROUNDS = 3;
const WRITERS = 12;
const ACKS_PER_ROUND = 40;
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function post(s: Spawned, token: string, userName: string): Promise<number> {
  const res = await fetch(`${s.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: [USER_URN], userName, active: true, displayName: userName }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function allUserNames(s: Spawned, token: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (let start = 1; ; start += 500) {
    const res = await fetch(`${s.url}/scim/v2/Users?count=500&startIndex=${start}&attributes=userName`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await res.json()) as { totalResults: number; Resources?: { userName: string }[] };
    for (const r of page.Resources ?? []) names.add(r.userName);
    if (!page.Resources?.length || start + 500 > page.totalResults) return names;
  }
}

t.test('kill -9 under concurrent writers: no acknowledged write lost, integrity ok', { skip: sqliteOnly('kill -9 on a SQLite file, then its integrity_check') }, async (t) => {
  t.setTimeout(120_000);
  const dir = tempDir(t);
  const token = await tenantToken(dir, 'crash.example.test');
  const acknowledged = new Set<string>();
  let attempted = 0;
  let serverErrors = 0;
  let cutOff = 0; // requests in flight when the process died (no answer: not acknowledged)

  for (let round = 0; round < ROUNDS; round++) {
    const s = await spawnServer(t, dir, NO_RATE_LIMIT);
    let stop = false;
    let acksThisRound = 0;
    let enough!: () => void;
    const enoughAcks = new Promise<void>((r) => (enough = r));
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const userName = `r${round}-w${w}-${i}@crash.example.test`;
        attempted++;
        try {
          const status = await post(s, token, userName);
          if (status === 201) {
            acknowledged.add(userName);
            if (++acksThisRound >= ACKS_PER_ROUND) enough();
          } else if (status >= 500) serverErrors++;
        } catch {
          // The process is gone: this request got no answer, and neither will the next.
          cutOff++;
          return;
        }
      }
    });
    await Promise.race([enoughAcks, s.exited]);
    // Killed while the writers are still sending: some requests are mid-transaction.
    s.proc.kill('SIGKILL');
    stop = true;
    await s.exited;
    await Promise.all(writers);
  }

  const s = await spawnServer(t, dir, NO_RATE_LIMIT);
  const present = await allUserNames(s, token);
  const lost = [...acknowledged].filter((u) => !present.has(u));
  s.proc.kill('SIGKILL');
  await s.exited;

  const db = new Database(path.join(dir, 'test.db')) as unknown as { prepare(sql: string): { all(a: unknown[]): { integrity_check: string }[] }; close(): void };
  const integrity = db.prepare('PRAGMA integrity_check').all([]).map((r) => r.integrity_check);
  db.close();

  t.comment(
    `crash campaign: ${ROUNDS} kill -9 rounds, ${WRITERS} writers, ${attempted} writes attempted, ${acknowledged.size} acknowledged, ${lost.length} lost, ${cutOff} cut off unanswered, ${serverErrors} 5xx, ${present.size} users present`,
  );
  t.ok(acknowledged.size >= ROUNDS * ACKS_PER_ROUND, `${acknowledged.size} writes acknowledged`);
  t.same(lost, [], 'every acknowledged write is present after the crashes');
  t.equal(serverErrors, 0, 'no 5xx while running');
  t.same(integrity, ['ok'], 'PRAGMA integrity_check');
});
