// Replays ../shared/fixtures/entra-cases.json over real HTTP: `{{name}}` in a case is a value the
// operator supplies (client credentials, authorization codes, tokens) or one captured by an earlier case.
// Placeholders: {{runId}} digits unique per run; {{guid:NAME}} one random GUID per NAME; captured
// variables from earlier cases; operator-supplied values (clientId, clientSecret, tokens, codes...)
// come from `supply`, which may be lazy (an authorization code is obtained when first needed).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

export interface EntraCase {
  id: string;
  phase: string;
  name: string;
  target: 'scim' | 'as';
  method: string;
  path: string;
  readablePath?: string;
  headers?: Record<string, string>;
  omitHeaders?: string[];
  body?: unknown;
  expectedStatus: number | number[];
  assertions?: Assertion[];
  headerAssertions?: { name: string; op: string; value?: unknown }[];
  capture?: Record<string, string>;
  tags?: string[];
}

export interface Assertion {
  path: string;
  op: string;
  value?: unknown;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The fixture's home is ../shared/fixtures beside the clone (CI puts shared/ there); a copy is
 * committed under test/fixtures so a lone clone still replays the cycle. The shared one wins.
 */
export function loadCases(): EntraCase[] {
  const candidates = [
    path.resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'entra-cases.json'),
    path.resolve(REPO_ROOT, 'test', 'fixtures', 'entra-cases.json'),
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`Fixture not found: ${candidates.join(' or ')}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as EntraCase[];
}

export type Supplier = string | (() => Promise<string>);

/** The replay's values for the test server's Entra client: its credentials, the token and
 * authorize paths, a supplier of fresh authorization codes and a token that no longer works. */
export function entraReplayContext(o: { clientId: string; clientSecret: string; authCode: Supplier; expiredAccessToken: Supplier }): ReplayContext {
  return new ReplayContext({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientIdB64Secret: Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64'),
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    authCode: o.authCode,
    authCode2: o.authCode,
    authCode3: o.authCode,
    expiredAccessToken: o.expiredAccessToken,
  });
}

export class ReplayContext {
  readonly vars = new Map<string, string>();
  private readonly guids = new Map<string, string>();
  private readonly supply: Record<string, Supplier>;
  constructor(supply: Record<string, Supplier>) {
    this.supply = supply;
    // Digits only, so upper-casing a userName changes only its letters.
    this.vars.set('runId', String(Date.now()) + String(Math.floor(Math.random() * 1000)).padStart(3, '0'));
  }

  private async value(name: string): Promise<string> {
    if (name.startsWith('guid:')) {
      const k = name.slice(5);
      if (!this.guids.has(k)) this.guids.set(k, randomUUID());
      return this.guids.get(k)!;
    }
    if (this.vars.has(name)) return this.vars.get(name)!;
    const s = this.supply[name];
    if (s === undefined) throw new Error(`No value for placeholder {{${name}}}`);
    const v = typeof s === 'string' ? s : await s();
    this.vars.set(name, v);
    return v;
  }

  async subst(text: string): Promise<string> {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/\{\{([^}]+)\}\}/g)) {
      out += text.slice(last, m.index) + (await this.value(m[1]));
      last = m.index! + m[0].length;
    }
    return out + text.slice(last);
  }

  async substDeep(v: unknown): Promise<unknown> {
    if (typeof v === 'string') return this.subst(v);
    if (Array.isArray(v)) return Promise.all(v.map((x) => this.substDeep(x)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[await this.subst(k)] = await this.substDeep(x);
      return out;
    }
    return v;
  }
}

// ---- JSONPath subset: $, .key, [n], ['key'], [?(@.key=='v')] ----
type Step = { key: string } | { index: number } | { filter: { key: string; value: string } };

export function parsePath(p: string): Step[] {
  if (!p.startsWith('$')) throw new Error(`JSONPath must start with $: ${p}`);
  const steps: Step[] = [];
  let i = 1;
  while (i < p.length) {
    if (p[i] === '.') {
      const m = /^\.([^.[]+)/.exec(p.slice(i));
      if (!m) throw new Error(`Bad JSONPath ${p}`);
      steps.push({ key: m[1] });
      i += m[0].length;
    } else if (p.startsWith("['", i)) {
      const end = p.indexOf("']", i);
      steps.push({ key: p.slice(i + 2, end) });
      i = end + 2;
    } else if (p.startsWith('[?(', i)) {
      const end = p.indexOf(')]', i);
      const m = /^@\.(\w+)\s*==\s*'([^']*)'$/.exec(p.slice(i + 3, end));
      if (!m) throw new Error(`Unsupported JSONPath filter in ${p}`);
      steps.push({ filter: { key: m[1], value: m[2] } });
      i = end + 2;
    } else if (p[i] === '[') {
      const end = p.indexOf(']', i);
      steps.push({ index: Number(p.slice(i + 1, end)) });
      i = end + 1;
    } else throw new Error(`Bad JSONPath ${p} at ${i}`);
  }
  return steps;
}

function prop(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (key in rec) return rec[key];
  // SCIM attribute names are case-insensitive (RFC 7643 §2.1).
  const k = Object.keys(rec).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

/** Evaluates to the single match, undefined for none, or the list of matches when several. */
export function evalPath(root: unknown, p: string): unknown {
  let nodes: unknown[] = [root];
  for (const s of parsePath(p)) {
    if ('key' in s) nodes = nodes.map((n) => prop(n, s.key)).filter((n) => n !== undefined);
    else if ('index' in s) nodes = nodes.map((n) => (Array.isArray(n) ? n[s.index] : undefined)).filter((n) => n !== undefined);
    else nodes = nodes.flatMap((n) => (Array.isArray(n) ? n.filter((x) => prop(x, s.filter.key) === s.filter.value) : []));
  }
  return nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : nodes;
}

function matchesObject(el: unknown, want: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => isDeepStrictEqual(prop(el, k), v));
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** One assertion; returns null when it holds, else a message. */
export function check(actual: unknown, op: string, want: unknown): string | null {
  const ok = ((): boolean => {
    switch (op) {
      case 'equals':
        return isDeepStrictEqual(actual, want);
      case 'notEquals':
        return !isDeepStrictEqual(actual, want);
      case 'equalsIgnoreCase':
        return typeof actual === 'string' && typeof want === 'string' && actual.toLowerCase() === want.toLowerCase();
      case 'exists':
        return actual !== undefined && actual !== null;
      case 'absent':
        return actual === undefined || actual === null; // RFC 7643 §2.5: null is unassigned
      case 'emptyOrAbsent':
      case 'absentOrEmpty':
        return empty(actual);
      case 'isBoolean':
        return typeof actual === 'boolean';
      case 'lengthEquals':
        return (Array.isArray(actual) || typeof actual === 'string') && actual.length === want;
      case 'lengthAtMost':
        // J01 applies it to itemsPerPage, a number: read as "at most".
        if (typeof actual === 'number') return actual <= (want as number);
        return (Array.isArray(actual) || typeof actual === 'string') && actual.length <= (want as number);
      case 'greaterOrEqual':
        return typeof actual === 'number' && actual >= (want as number);
      case 'between': {
        const [lo, hi] = want as [number, number];
        return typeof actual === 'number' && actual >= lo && actual <= hi;
      }
      case 'contains':
        if (Array.isArray(actual)) return actual.some((x) => isDeepStrictEqual(x, want));
        return typeof actual === 'string' && actual.includes(String(want));
      case 'notContains':
        if (Array.isArray(actual)) return !actual.some((x) => isDeepStrictEqual(x, want));
        return typeof actual !== 'string' || !actual.includes(String(want));
      case 'anyMatch':
        return Array.isArray(actual) && actual.some((el) => matchesObject(el, want as Record<string, unknown>));
      case 'noneMatch':
        return !Array.isArray(actual) || !actual.some((el) => matchesObject(el, want as Record<string, unknown>));
      default:
        throw new Error(`Unknown assertion op ${op}`);
    }
  })();
  return ok ? null : `${op} ${JSON.stringify(want)} failed; actual ${JSON.stringify(actual)?.slice(0, 400)}`;
}

export interface CaseResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  failures: string[];
}

export interface ReplayTarget {
  baseUrl: string; // http://127.0.0.1:port
  scimBase: string; // baseUrl + /scim/v2
}

/** Runs one case and returns its failures (empty when it passes). Captures go into ctx.vars. */
export async function runCase(c: EntraCase, ctx: ReplayContext, target: ReplayTarget): Promise<CaseResult> {
  const p = await ctx.subst(c.path);
  const url = (c.target === 'scim' ? target.scimBase : target.baseUrl) + p;
  const headers: Record<string, string> = {};
  const set = (k: string, v: string) => {
    for (const h of Object.keys(headers)) if (h.toLowerCase() === k.toLowerCase()) delete headers[h];
    headers[k] = v;
  };
  let body: string | undefined;
  if (c.body !== undefined) body = typeof c.body === 'string' ? await ctx.subst(c.body) : JSON.stringify(await ctx.substDeep(c.body));
  if (c.target === 'scim') {
    // Defaults mimic Entra: bearer token, and a Content-Type only with a body; no Accept/User-Agent.
    set('Authorization', `Bearer ${await ctx.subst('{{accessToken}}')}`);
    if (body !== undefined) set('Content-Type', 'application/scim+json; charset=utf-8');
  }
  for (const [k, v] of Object.entries(c.headers ?? {})) set(k, await ctx.subst(v));
  for (const k of c.omitHeaders ?? []) for (const h of Object.keys(headers)) if (h.toLowerCase() === k.toLowerCase()) delete headers[h];
  // undici adds a default User-Agent; '' suppresses it as Entra's probe sends none (Obs I9).
  const res = await fetch(url, { method: c.method, headers: { 'user-agent': '', ...headers }, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const failures: string[] = [];
  const expected = Array.isArray(c.expectedStatus) ? c.expectedStatus : [c.expectedStatus];
  if (!expected.includes(res.status)) failures.push(`status ${res.status} not in ${JSON.stringify(expected)}: ${text.slice(0, 500)}`);
  for (const a of c.assertions ?? []) {
    const want = await ctx.substDeep(a.value);
    const msg = check(evalPath(json, a.path), a.op, want);
    if (msg) failures.push(`${a.path}: ${msg}`);
  }
  for (const h of c.headerAssertions ?? []) {
    const want = await ctx.substDeep(h.value);
    const actual = res.headers.get(h.name) ?? undefined;
    const msg = check(actual, h.op, want);
    if (msg) failures.push(`header ${h.name}: ${msg}`);
  }
  if (failures.length === 0) {
    for (const [name, jp] of Object.entries(c.capture ?? {})) {
      const v = evalPath(json, jp);
      if (typeof v !== 'string') failures.push(`capture ${name} from ${jp}: got ${JSON.stringify(v)}`);
      else ctx.vars.set(name, v);
    }
  }
  return { status: res.status, headers: res.headers, text, json, failures };
}

// ---- Driving the Authorize flow over HTTP (what the admin's browser does) ----

class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? (m[2] ?? m[3]).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'") : undefined;
}

/** Fills and submits the page's form: hidden inputs kept, our fields set, the Allow button pressed. */
function formSubmission(html: string, pageUrl: string, fields: Record<string, string>): { action: string; body: string } | null {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const form = forms.find((f) => Object.keys(fields).some((k) => new RegExp(`name\\s*=\\s*["']${k}["']`, 'i').test(f))) ?? forms.find((f) => />\s*Allow\s*</i.test(f) || /value\s*=\s*["']Allow["']/i.test(f));
  if (!form) return null;
  const open = /<form\b[^>]*>/i.exec(form)![0];
  const params = new URLSearchParams();
  for (const m of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    if (!name) continue;
    const type = (attr(m[0], 'type') ?? 'text').toLowerCase();
    if (type === 'submit' || type === 'button') continue;
    params.set(name, fields[name] ?? attr(m[0], 'value') ?? '');
  }
  for (const m of form.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/gi)) {
    if (/Allow/i.test(m[1]) || /value\s*=\s*["']Allow/i.test(m[0])) {
      const name = attr(m[0], 'name');
      if (name) params.set(name, attr(m[0], 'value') ?? '');
    }
  }
  return { action: new URL(attr(open, 'action') ?? pageUrl, pageUrl).href, body: params.toString() };
}

/** GET /oauth/authorize → Go-to-domain → login → consent (Allow) → the code on the redirect URI. */
export async function authorizeCode(
  baseUrl: string,
  o: { clientId: string; redirectUri: string; domain: string; username: string; password: string; state?: string },
): Promise<string> {
  const jar = new CookieJar();
  const q = new URLSearchParams({ response_type: 'code', client_id: o.clientId, redirect_uri: o.redirectUri, state: o.state ?? randomUUID() });
  let url = `${baseUrl}/oauth/authorize?${q}`;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(res);
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      const next = new URL(loc, url);
      if (next.href.startsWith(o.redirectUri)) {
        const code = next.searchParams.get('code');
        if (!code) throw new Error(`Authorize ended without a code: ${next.search}`);
        return code;
      }
      url = next.href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const sub = formSubmission(html, url, { domain: o.domain, username: o.username, password: o.password });
    if (!sub) throw new Error(`Authorize flow stuck at ${url} (status ${res.status}): ${html.slice(0, 300)}`);
    url = sub.action;
    method = 'POST';
    body = sub.body;
  }
  throw new Error('Authorize flow did not finish in 20 steps');
}
