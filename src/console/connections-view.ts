// Every live way Entra reaches this tenant, in one list for the overview and `connection list`:
// Authorize (authorization-code) connections, active secret tokens, and API clients with an active
// secret. Each with its credential kind, who set it up, last refresh, last SCIM request, 24-hour
// counts and health.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { listLiveConnections } from '../db/connections.ts';
import { listSecretTokens } from '../db/secret-tokens.ts';
import { listClients } from '../db/api-clients.ts';
import { hourlyByConnection, managerNames } from '../db/console-reads.ts';
import { SECRET_TOKEN_GRANT_PREFIX } from '../oauth/secret-tokens.ts';
import { connectionHealth, type Bucket, type Health } from './health.ts';

export type CredentialKind = 'authorize' | 'secret-token' | 'client-credentials';

export const KIND_LABELS: Record<CredentialKind, string> = {
  authorize: 'Authorize (OAuth code)',
  'secret-token': 'Secret token',
  'client-credentials': 'Client credentials',
};

export interface ConnectionSummary {
  kind: CredentialKind;
  kindLabel: string;
  /** grant id, secret token id or API client id: what Disconnect / Revoke acts on. */
  id: string;
  name: string;
  authorizedBy: string | null;
  authorizedAt: Date;
  lastRefreshAt: Date | null;
  lastScimAt: Date | null;
  expiresAt: Date | null;
  requests24h: number;
  failures24h: number;
  health: Health;
}

const HOUR = 3_600_000;

export async function describeConnections(db: Db, config: Config, tenantId: string, now = new Date()): Promise<ConnectionSummary[]> {
  const since = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR);
  const [conns, tokens, clients, hourly, names] = await Promise.all([
    listLiveConnections(db, tenantId, now),
    listSecretTokens(db, tenantId),
    listClients(db, tenantId),
    hourlyByConnection(db, tenantId, since),
    managerNames(db, tenantId),
  ]);
  const byKey = new Map<string, Bucket[]>();
  for (const h of hourly) {
    const list = byKey.get(h.key) ?? [];
    list.push(h);
    byKey.set(h.key, list);
  }
  const latestHour = (key: string) => {
    const b = (byKey.get(key) ?? []).filter((x) => x.requests > 0);
    return b.length ? b[b.length - 1].hour : null;
  };
  const summary = (kind: CredentialKind, key: string, rest: Omit<ConnectionSummary, 'kind' | 'kindLabel' | 'requests24h' | 'failures24h' | 'health'>): ConnectionSummary => {
    const b = byKey.get(key) ?? [];
    return {
      kind,
      kindLabel: KIND_LABELS[kind],
      ...rest,
      requests24h: b.reduce((a, x) => a + x.requests, 0),
      failures24h: b.reduce((a, x) => a + x.failures, 0),
      health: connectionHealth(b, rest.lastScimAt),
    };
  };
  const person = (v: string | null) => (v ? (names.get(v) ?? v) : null);
  const out: ConnectionSummary[] = [];
  for (const c of conns) {
    out.push(
      summary('authorize', c.grantId, {
        id: c.grantId,
        name: c.clientId === config.entra.clientId ? 'Microsoft Entra ID (gallery app, Authorize)' : c.clientId,
        authorizedBy: person(c.authorizedBy),
        authorizedAt: c.authorizedAt,
        lastRefreshAt: c.lastRefreshAt,
        lastScimAt: c.lastScimAt,
        expiresAt: null,
      }),
    );
  }
  for (const t of tokens.filter((x) => x.active)) {
    out.push(
      summary('secret-token', `${SECRET_TOKEN_GRANT_PREFIX}${t.id}`, {
        id: t.id,
        name: t.name,
        authorizedBy: person(t.createdBy),
        authorizedAt: t.createdAt,
        lastRefreshAt: null,
        lastScimAt: t.lastUsedAt,
        expiresAt: t.expiresAt,
      }),
    );
  }
  for (const c of clients.filter((x) => x.secrets.some((s) => s.active))) {
    out.push(
      summary('client-credentials', `client:${c.id}`, {
        id: c.id,
        name: c.name,
        authorizedBy: person(c.createdBy),
        authorizedAt: c.createdAt,
        lastRefreshAt: null,
        // Client-credentials requests are counted per hour only (no grant row to stamp).
        lastScimAt: latestHour(`client:${c.id}`),
        expiresAt: null,
      }),
    );
  }
  return out;
}
