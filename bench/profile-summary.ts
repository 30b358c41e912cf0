// node bench/profile-summary.ts <file.cpuprofile> [top=25] [--window fromUs:toUs]
// Summarises a V8 CPU profile (the server's, from BENCH_NODE_ARGS=--cpu-prof): self time per
// function, inclusive time per function (a function counted once per sample however deep it
// recurses) and self time per package or source directory, as shares of all non-idle samples.
// --window keeps the samples between two CLOCK_MONOTONIC µs stamps: the bench prints one per phase
// when it profiles, so one phase can be read alone.
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const w = args.indexOf('--window');
const [from, to] = w >= 0 ? args.splice(w, 2)[1].split(':').map(Number) : [-Infinity, Infinity];
const file = args[0];
if (!file) throw new Error('usage: node bench/profile-summary.ts <file.cpuprofile> [top] [--window fromUs:toUs]');
const top = Number(args[1] ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^.*\/(src|bench)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}${url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
};
const area = (n: Node) => {
  const url = n.callFrame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const s = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/(src)\//.exec(url);
  if (s) return s[1];
  if (url.startsWith('node:')) return 'node:internal';
  return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native/v8)';
};

const self = new Map<string, number>();
const incl = new Map<string, number>();
const areas = new Map<string, number>();
let total = 0;
let idle = 0;
let at = prof.startTime;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  at += dt;
  if (at < from || at > to) return;
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  total += dt;
  self.set(label(n), (self.get(label(n)) ?? 0) + dt);
  areas.set(area(n), (areas.get(area(n)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + dt);
  }
});

const show = (title: string, m: Map<string, number>) => {
  console.log(`\n## ${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
};
console.log(`busy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`);
show('self time by area', areas);
show('self time by function', self);
show('inclusive time by function', incl);
