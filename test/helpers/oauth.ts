// OAuth test support: drives the REAL pages over HTTP with a cookie jar (no browser), the way an
// Entra admin's browser would, and seeds tenants/managers through the real repositories.
// Used by the OAuth, SCIM and console tests.
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db/client.ts';
import { createTenant, type Tenant } from '../../src/db/tenants.ts';
import { createManagerWithPassword, type Manager } from '../../src/accounts/managers.ts';
import { loadDataKey } from '../../src/secrets/data-key.ts';
import { tokenDigester } from '../../src/secrets/token-digest.ts';

export interface ServerLike {
  url: string;
  config: Config;
  app: { db: Db };
}

export const DEFAULT_REDIRECT = 'https://portal.azure.com/TokenAuthorize';

/** A minimal cookie jar over fetch: stores Set-Cookie by name, honours expiry, never follows
 * redirects by itself (tests look at every hop). */
export class CookieJar {
  cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.header());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }

  get(url: string): Promise<Response> {
    return this.fetch(url);
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF token on page: ${html.slice(0, 200)}`);
  return m[1];
}

export function formActionOf(html: string): string {
  const m = /<form method="post" action="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form on page');
  return m[1].replace(/&amp;/g, '&');
}

export async function seedTenant(
  server: ServerLike,
  input: { domain: string; name?: string; enabled?: boolean; managers?: Array<{ username: string; password: string; role?: 'admin' | 'viewer'; mustChangePassword?: boolean }> },
): Promise<{ tenant: Tenant; managers: Manager[] }> {
  const db = server.app.db;
  const tenant = await createTenant(db, { domain: input.domain, name: input.name ?? input.domain });
  const managers: Manager[] = [];
  for (const m of input.managers ?? []) {
    managers.push(
      await createManagerWithPassword(
        { db, config: server.config },
        { tenantId: tenant.id, username: m.username, password: m.password, role: m.role ?? 'admin', mustChangePassword: m.mustChangePassword },
      ),
    );
  }
  if (input.enabled === false) await db.tenant.update({ where: { id: tenant.id }, data: { enabled: false } });
  return { tenant, managers };
}

export interface AuthorizeOptions {
  domain: string;
  username: string;
  password: string;
  clientId?: string;
  redirectUri?: string;
  state?: string;
  scope?: string;
  /** Extra authorization request parameters (e.g. code_challenge, nonce). */
  params?: Record<string, string>;
  /** 'allow' (default) or 'deny' on the consent page. */
  decision?: 'allow' | 'deny';
  jar?: CookieJar;
}

export interface Step {
  status: number;
  url: string;
  html: string;
}

/** GET url, following same-server redirects (not the final one to the client's redirect URI). */
export async function follow(jar: CookieJar, base: string, url: string, stopPrefix: string): Promise<{ res: Response; url: string; html: string }> {
  let current = new URL(url, base).toString();
  for (let hops = 0; hops < 10; hops++) {
    if (current.startsWith(stopPrefix)) return { res: new Response(null, { status: 302 }), url: current, html: '' };
    const res = await jar.get(current);
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      current = new URL(loc, current).toString();
      continue;
    }
    return { res, url: current, html: await res.text() };
  }
  throw new Error('too many redirects');
}

export function authorizeUrl(server: ServerLike, opts: Omit<AuthorizeOptions, 'domain' | 'username' | 'password'> = {}): string {
  const u = new URL(`${server.url}/oauth/authorize`);
  u.searchParams.set('client_id', opts.clientId ?? server.config.entra.clientId);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('redirect_uri', opts.redirectUri ?? DEFAULT_REDIRECT);
  u.searchParams.set('state', opts.state ?? 'state-123');
  if (opts.scope) u.searchParams.set('scope', opts.scope);
  for (const [k, v] of Object.entries(opts.params ?? {})) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * The admin's whole path over real HTTP: /oauth/authorize → Go to domain → Sign in → Consent
 * (Entra only) → redirect to the redirect URI. Returns the code and state from that redirect,
 * or the error when the provider sent one (e.g. decision 'deny').
 */
export async function authorizeOverHttp(
  server: ServerLike,
  opts: AuthorizeOptions,
): Promise<{ code: string; state: string | null; error?: string; location: string; jar: CookieJar; steps: string[] }> {
  const jar = opts.jar ?? new CookieJar();
  const redirectUri = opts.redirectUri ?? DEFAULT_REDIRECT;
  const steps: string[] = []; // the pages passed: 'domain', 'login', 'consent'
  let page = await follow(jar, server.url, authorizeUrl(server, opts), redirectUri);
  for (let n = 0; n < 6; n++) {
    if (page.url.startsWith(redirectUri)) {
      const u = new URL(page.url);
      return { code: u.searchParams.get('code') ?? '', state: u.searchParams.get('state'), error: u.searchParams.get('error') ?? undefined, location: page.url, jar, steps };
    }
    if (page.res.status !== 200) throw new Error(`authorize flow stopped at ${page.url} with ${page.res.status}: ${page.html.slice(0, 300)}`);
    const csrf = csrfOf(page.html);
    const action = new URL(formActionOf(page.html), server.url).toString();
    let form: Record<string, string>;
    if (action.endsWith('/domain')) form = { _csrf: csrf, domain: opts.domain };
    else if (action.endsWith('/login')) form = { _csrf: csrf, username: opts.username, password: opts.password };
    else if (action.endsWith('/consent')) form = { _csrf: csrf, decision: opts.decision ?? 'allow' };
    else throw new Error(`unexpected form ${action}`);
    steps.push(action.slice(action.lastIndexOf('/') + 1));
    const res = await jar.post(action, form);
    const loc = res.headers.get('location');
    if (!(res.status >= 300 && res.status < 400 && loc)) {
      throw new Error(`form ${action} answered ${res.status}: ${(await res.text()).replace(/\s+/g, ' ').slice(0, 600)}`);
    }
    page = await follow(jar, server.url, loc, redirectUri);
  }
  throw new Error('authorize flow did not finish');
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
  id_token?: string;
  [k: string]: unknown;
}

export async function tokenRequest(
  server: ServerLike,
  form: Record<string, string>,
  auth: { method?: 'post' | 'basic' | 'none'; clientId?: string; secret?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const clientId = auth.clientId ?? server.config.entra.clientId;
  const secret = auth.secret ?? server.config.entra.clientSecrets[0];
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams(form);
  if (auth.method === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  } else if (auth.method === 'none') {
    body.set('client_id', clientId);
  } else {
    body.set('client_id', clientId);
    body.set('client_secret', secret);
  }
  const res = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers, body: body.toString() });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** authorizeOverHttp + the code exchange (client_secret_post unless `method` says otherwise). */
export async function obtainTokens(
  server: ServerLike,
  opts: AuthorizeOptions & { secret?: string; method?: 'post' | 'basic' },
): Promise<TokenResponse> {
  const { code } = await authorizeOverHttp(server, opts);
  if (!code) throw new Error('no authorization code');
  const r = await tokenRequest(
    server,
    { grant_type: 'authorization_code', code, redirect_uri: opts.redirectUri ?? DEFAULT_REDIRECT },
    { method: opts.method ?? 'post', clientId: opts.clientId, secret: opts.secret },
  );
  if (r.status !== 200) throw new Error(`token endpoint answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json as unknown as TokenResponse;
}

/** The OidcPayload row id under which the server stores a token (its keyed digest). */
export function storedTokenId(server: ServerLike, token: string): string {
  return tokenDigester(loadDataKey(server.config).key)(token);
}
