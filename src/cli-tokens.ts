// Operator commands for connections: long-lived SCIM secret tokens and the list of live
// connections of a tenant. `token create` prints the token once; nothing can show it again.
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { requireTenantByDomain } from './db/tenants.ts';
import { SecretTokenError, createSecretToken, findActiveTokenByName, listSecretTokens, parseExpiryDays, revokeSecretToken } from './db/secret-tokens.ts';
import { describeConnections } from './console/connections-view.ts';
import { recordAudit } from './audit/record.ts';

export const TOKEN_USAGE = `  token create <domain> --name "<name>" [--expires-days N]   (N: 1..730; omitted: no expiry)
  token list <domain>
  token revoke <domain> <name>
  connection list <domain>`;

export class TokenCliError extends Error {}

export function isConnectionCommand(argv: string[]): boolean {
  return argv[0] === 'token' || argv[0] === 'connection';
}

function parse(argv: string[]): { positional: string[]; name?: string; days?: string } {
  const positional: string[] = [];
  const out: { positional: string[]; name?: string; days?: string } = { positional };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') ? (eq > 0 ? a.slice(0, eq) : a) : null;
    if (flag === null) {
      positional.push(a);
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new TokenCliError(`${flag} needs a value`);
    if (flag === '--name') out.name = v;
    else if (flag === '--expires-days') out.days = v;
    else throw new TokenCliError(`unknown option ${flag}`);
  }
  return out;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + 'Z' : 'never');

export async function runConnectionCommand(argv: string[], deps: { config: Config; db: Db }, out: (s: string) => void): Promise<void> {
  const { db, config } = deps;
  const p = parse(argv);
  const [group, action, domain, extra] = p.positional;
  const need = (n: number, shape: string) => {
    if (p.positional.length !== n) throw new TokenCliError(`usage: npm run cli -- ${shape}`);
  };
  try {
    switch (`${group} ${action ?? ''}`) {
      case 'token create': {
        need(3, 'token create <domain> --name "<name>" [--expires-days N]');
        if (!p.name?.trim()) throw new TokenCliError('token create needs --name "<name>", for example --name "Entra provisioning"');
        const t = await requireTenantByDomain(db, domain);
        const r = await createSecretToken(db, { tenantId: t.id, name: p.name, expiresInDays: parseExpiryDays(p.days), createdBy: 'operator (CLI)' });
        await recordAudit(db, { event: 'secret_token.created', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: r.token.name });
        // The value alone on stdout, so `TOKEN=$(npm run -s cli -- token create ...)` captures it.
        out(r.value);
        return;
      }
      case 'token list': {
        need(3, 'token list <domain>');
        const t = await requireTenantByDomain(db, domain);
        const ts = await listSecretTokens(db, t.id);
        if (ts.length === 0) return out(`no secret tokens in ${t.domain}`);
        for (const x of ts) {
          const status = x.revokedAt ? 'revoked' : x.active ? 'active' : 'expired';
          out(`${x.name}\t${status}\t…${x.hint}\tcreated ${day(x.createdAt)}\texpires ${x.expiresAt ? day(x.expiresAt) : 'never'}\tlast used ${day(x.lastUsedAt)}`);
        }
        return;
      }
      case 'token revoke': {
        need(4, 'token revoke <domain> <name>');
        const t = await requireTenantByDomain(db, domain);
        const tok = await findActiveTokenByName(db, t.id, extra);
        if (!tok) throw new TokenCliError(`no active secret token named "${extra}" in ${t.domain}`);
        await revokeSecretToken(db, t.id, tok.id);
        await recordAudit(db, { event: 'secret_token.revoked', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: tok.name });
        out(`revoked secret token "${tok.name}" of ${t.domain}: Entra apps using it stop provisioning`);
        return;
      }
      case 'connection list': {
        need(3, 'connection list <domain>');
        const t = await requireTenantByDomain(db, domain);
        const cs = await describeConnections(db, config, t.id);
        if (cs.length === 0) return out(`no live connections in ${t.domain}`);
        for (const c of cs) {
          out(`${c.kindLabel}\t${c.name}\tauthorized by ${c.authorizedBy ?? 'unknown'}\tlast refresh ${day(c.lastRefreshAt)}\tlast SCIM request ${day(c.lastScimAt)}`);
        }
        return;
      }
      default:
        throw new TokenCliError(`unknown command "${p.positional.slice(0, 2).join(' ')}" (see: npm run cli -- help)`);
    }
  } catch (err) {
    if (err instanceof SecretTokenError) throw new TokenCliError(err.message);
    throw err;
  }
}
