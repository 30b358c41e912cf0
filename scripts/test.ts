// The README's test command: type-check, then every tap test under test/, then one plain
// "N passed, N failed" line (tap's own closing line is not one CI recognises; stack-notes.md).
import { spawn, spawnSync } from 'node:child_process';

// tap caches its plugin set; rebuild it so the TypeScript plugin stays off (Node strips types).
spawnSync('tap', ['build'], { stdio: 'ignore' });

const tc = spawnSync('tsc', ['-p', 'tsconfig.json'], { stdio: 'inherit', shell: false });
if (tc.status !== 0) {
  console.log('type check failed');
  console.log('0 passed, 1 failed');
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
  console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
  process.exit(code ?? 1);
});
