// Console test support: seed tenants/managers, mint a console session directly (for page tests
// that are not about sign-in), and a tiny cookie-jar client over fetch.
import crypto from 'node:crypto';
import type { Db } from '../../src/db/client.ts';
import { createConsoleSession } from '../../src/db/console-sessions.ts';

export async function seedTenant(db: Db, domain: string, name = domain): Promise<string> {
  const id = crypto.randomUUID();
  await db.tenant.create({ data: { id, domain, domainKey: domain.toLowerCase(), name } });
  return id;
}

export async function seedManager(db: Db, tenantId: string, username: string, role: 'admin' | 'viewer' = 'admin', passwordHash = 'x'): Promise<string> {
  const id = crypto.randomUUID();
  await db.manager.create({ data: { id, tenantId, username, usernameKey: username.toLowerCase(), passwordHash, role } });
  return id;
}

export class Jar {
  cookies = new Map<string, string>();
  base: string;
  constructor(base: string) {
    this.base = base;
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim();
      const v = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || v === '') this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
  }
  async get(path: string): Promise<Response> {
    const res = await fetch(new URL(path, this.base), { redirect: 'manual', headers: { cookie: this.header() } });
    this.store(res);
    return res;
  }
  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.store(res);
    return res;
  }
}

/** A signed-in console client for `managerId` (session created server-side, as the callback would). */
export async function consoleAs(db: Db, base: string, managerId: string, tenantId: string, absoluteTimeoutSeconds = 3600) {
  const s = await createConsoleSession(db, { tenantId, managerId, idToken: null, absoluteTimeoutSeconds });
  const jar = new Jar(base);
  jar.cookies.set('sl_console', s.raw);
  return { jar, csrf: s.csrfToken };
}

/** The CSRF token embedded in a console page's forms. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on page');
  return m[1];
}
