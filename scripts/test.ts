// The README's test command: type-check, then every tap test under test/, then one plain
// "<database>: N passed, N failed" line (tap's own closing line is not one CI recognises). The
// database is SQLite, or PostgreSQL when TEST_DATABASE_URL is set (each test server then gets a
// schema of its own there); .ci/run runs both passes.
import { spawn, spawnSync } from 'node:child_process';

const pgUrl = process.env.TEST_DATABASE_URL?.trim();
const label = pgUrl ? 'postgresql' : 'sqlite';
if (pgUrl && !/^postgres(ql)?:\/\//i.test(pgUrl)) {
  console.log('TEST_DATABASE_URL must be a postgresql:// URL');
  console.log(`${label}: 0 passed, 1 failed`);
  process.exit(1);
}

// tap caches its plugin set; rebuild it so the TypeScript plugin stays off (Node strips types).
spawnSync('tap', ['build'], { stdio: 'ignore' });

const tc = spawnSync('tsc', ['-p', 'tsconfig.json'], { stdio: 'inherit', shell: false });
if (tc.status !== 0) {
  console.log('type check failed');
  console.log(`${label}: 0 passed, 1 failed`);
  process.exit(1);
}

const args = process.argv.slice(2);
const child = spawn('tap', args, { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (b: Buffer) => {
  process.stdout.write(b);
  out += b.toString();
  if (out.length > 1_000_000) out = out.slice(-100_000);
});
child.on('close', (code) => {
  // tap 21 closes with "# { total: N, pass: N, fail: N, skip: N, ... }".
  const m = [...out.matchAll(/#\s*\{\s*total:\s*(\d+)([^}]*)\}/g)].pop();
  const get = (k: string) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(m?.[2] ?? '')?.[1] ?? 0);
  const pass = get('pass');
  const fail = get('fail') + (code !== 0 && get('fail') === 0 ? 1 : 0);
  const skip = get('skip') + get('todo');
  console.log(`${label}: ${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
  if (!pgUrl && !process.env.TEST_PG_PASS_FOLLOWS) {
    console.log('NOTE: the PostgreSQL pass was skipped (TEST_DATABASE_URL is not set; .ci/run starts a throwaway PostgreSQL and runs it)');
  }
  process.exit(code ?? 1);
});
