// SCIM integration-test plumbing: a real server (startServer), tenants seeded through the OAuth
// helper, bearer tokens from the real Authorize flow, and a small HTTP client for /scim/v2.
import type { TestServer } from './server.ts';
import { startServer } from './server.ts';
import { seedTenant, obtainTokens } from './oauth.ts';

export interface ScimResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ScimClient {
  token: string;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

export function scimClient(server: { url: string }, token: string): ScimClient {
  return {
    token,
    async req(method, path, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/scim+json; charset=utf-8';
      }
      const send = () => fetch(`${server.url}/scim/v2${path}`, { method, headers: h, body: payload });
      // A kept-alive connection idle for the server's keep-alive time-out (5 s) while a test seeds
      // rows on a loaded machine can be closed just as fetch reuses it; a GET is safe to send again
      // (RFC 9110 §9.2.2), as a client does.
      const res = await send().catch((e) => {
        if (method !== 'GET') throw e;
        return send();
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
  };
}

export const MANAGER_PASSWORD = 'Correct-Horse-Battery-9';

export interface Tenant {
  domain: string;
  tokens: { access_token: string; refresh_token?: string };
  scim: ScimClient;
}

/** A tenant with an admin manager and a token obtained through the real Authorize flow. */
export async function tenantWithToken(server: TestServer, name: string): Promise<Tenant> {
  const domain = `${name}.example.test`;
  await seedTenant(server, { domain, name, managers: [{ username: 'admin', password: MANAGER_PASSWORD, role: 'admin' }] });
  const tokens = (await obtainTokens(server, { domain, username: 'admin', password: MANAGER_PASSWORD })) as Tenant['tokens'];
  return { domain, tokens, scim: scimClient(server, tokens.access_token) };
}

export async function scimServer(
  t: { teardown(fn: () => unknown): void },
  env: Record<string, string> = {},
): Promise<{ server: TestServer; a: Tenant }> {
  const server = await startServer(t, env);
  const a = await tenantWithToken(server, 'tenant-a');
  return { server, a };
}

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function userBody(userName: string, extra: Record<string, unknown> = {}) {
  return { schemas: [USER_URN], userName, active: true, ...extra };
}

export function groupBody(displayName: string, extra: Record<string, unknown> = {}) {
  return { schemas: [GROUP_URN], displayName, ...extra };
}

export function patchBody(...ops: Record<string, unknown>[]) {
  return { schemas: [PATCH_URN], Operations: ops };
}

/** Seeded PRNG (mulberry32): fuzz runs are reproducible from their seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
