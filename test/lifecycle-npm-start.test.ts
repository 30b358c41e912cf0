// `npm start` as a supervisor runs it: SIGTERM to the npm process must stop the server (npm forwards
// the signal to its child, which is node only if the script execs it; a shell in between used to
// leave node orphaned, still serving, and the replacement failing with EADDRINUSE). And .env.
import { test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import path from 'node:path';
import { freePort } from './helpers/server.ts';
import { ROOT, alive, descendants, serverEnv, startProcess, tempDir, waitUntilServing } from './helpers/spawned-server.ts';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function gone(pids: number[]): Promise<number[]> {
  // Reaping by init can lag the exit a little; poll rather than race it.
  for (let i = 0; i < 100; i++) {
    const left = pids.filter(alive);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.filter(alive);
}

test('SIGTERM to `npm start` stops the server: port free, no node left behind', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const s = startProcess(t, { command: 'npm', args: ['start', '--silent'], env: serverEnv(dir, port), port });
  await waitUntilServing(s);
  const children = descendants(s.proc.pid!);
  t.ok(children.length > 0, `npm has its server process below it (${children.length} process(es))`);

  s.proc.kill('SIGTERM');
  const exit = await s.exited;
  t.not(exit.code, null, `npm exited (code ${exit.code}, signal ${exit.signal})`);
  t.same(await gone(children), [], 'no process npm started survives it');
  t.ok(await portIsFree(port), 'the port is free for a replacement');
  t.ok(s.stdout.some((l) => /"msg":"stopped"/.test(l)), 'the server stopped cleanly (it received the signal)');
  t.same(s.stderr.filter((l) => l.trim() !== ''), [], 'nothing on stderr (no complaint about a missing .env)');
});

test('`npm start` reads .env from the project directory; the environment wins over it', async (t) => {
  // A project directory of our own (links to the real sources), so the test never writes a .env
  // where other processes would read it.
  const dir = tempDir(t);
  const project = path.join(dir, 'project');
  fs.mkdirSync(project);
  for (const name of ['package.json', 'src', 'views', 'prisma', 'public', 'node_modules']) {
    if (fs.existsSync(path.join(ROOT, name))) fs.symlinkSync(path.join(ROOT, name), path.join(project, name));
  }
  const port = await freePort();
  fs.writeFileSync(
    path.join(project, '.env'),
    `# written by the test\nPORT=${port}\nDATABASE_URL=file:${path.join(dir, 'from-dotenv.db')}\nSCIM_RATE_LIMIT_BURST=not-a-number-but-overridden\n`,
  );
  const env = serverEnv(dir, port);
  delete env.PORT;
  delete env.DATABASE_URL;
  env.SCIM_RATE_LIMIT_BURST = '50';
  const s = startProcess(t, { command: 'npm', args: ['start', '--silent'], env, cwd: project, port });
  await waitUntilServing(s);
  t.pass(`serving on PORT ${port}, which only .env names`);
  t.ok(fs.existsSync(path.join(dir, 'from-dotenv.db')), 'DATABASE_URL from .env used');
  t.ok(s.stdout.some((l) => l.includes('from-dotenv.db')), 'start-up log names that database');
  s.proc.kill('SIGTERM');
  t.equal((await s.exited).code, 0, 'a value set in the environment beat the invalid one in .env (else config would refuse to start)');

  const run = promisify(execFile);
  const created = await run('npm', ['run', 'cli', '--silent', '--', 'tenant', 'create', 'dotenv.test', '--name', 'Dot Env'], { cwd: project, env });
  t.match(created.stdout, /created tenant dotenv\.test/);
  const db = createClient({ url: `file:${path.join(dir, 'from-dotenv.db')}` });
  const rows = await db.execute("SELECT COUNT(*) AS n FROM Tenant WHERE domain = 'dotenv.test'");
  db.close();
  t.equal(Number(rows.rows[0].n), 1, '`npm run cli` wrote to the database .env names');
});
