// Operator CLI: `npm run cli -- <command>`. Its commands, output lines and exit codes are an
// interface that scripts (and the test harness) drive: keep them stable.
// Exit 0 on success; otherwise one line on stderr saying why, and a non-zero code
// (2: bad usage, 1: refused input such as a duplicate domain or a weak password).
// Uses the same configuration as the server (DATABASE_URL etc.) and applies migrations first.
import { loadConfig, ConfigError, type Config } from './config.ts';
import { loadEnvFile } from './env-file.ts';
import { createDb, type Db } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { AccountError } from './accounts/errors.ts';
import { createTenant, listTenants, requireTenantByDomain, setTenantEnabled } from './db/tenants.ts';
import { findManagerByUsername, isRole, listManagers } from './db/managers.ts';
import { removeManager } from './accounts/last-admin.ts';
import { createManagerWithPassword, setPassword } from './accounts/managers.ts';
import { rotateSigningKey } from './db/signing-keys.ts';
import { loadDataKey } from './secrets/data-key.ts';
import { entraSecrets } from './oauth/secrets.ts';
import { runSsoCommand, SSO_USAGE } from './cli-sso.ts';
import { TOKEN_USAGE, TokenCliError, isConnectionCommand, runConnectionCommand } from './cli-tokens.ts';
import { recordAudit } from './audit/record.ts';

class UsageError extends Error {}

const USAGE = `usage: npm run cli -- <command>
  tenant create <domain> --name "<name>"
  tenant list
  tenant disable <domain>
  tenant enable <domain>
  manager create <domain> <username> --password-stdin [--role admin|viewer]   (default: admin for the first manager, then viewer)
  manager list <domain>
  manager remove <domain> <username>
  manager reset-password <domain> <username> --password-stdin
  entra show
  keys rotate
${SSO_USAGE}
${TOKEN_USAGE}`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--name', '--role']);
const BOOL_FLAGS = new Set(['--password-stdin']);

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (VALUE_FLAGS.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        flags.set(name, v);
      } else if (BOOL_FLAGS.has(name) && eq < 0) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${name}`);
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function expectArgs(p: Parsed, n: number, shape: string): void {
  if (p.positional.length !== n) throw new UsageError(`usage: npm run cli -- ${shape}`);
}

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin expects the password on standard input (e.g. printf %s "$PW" | npm run cli -- ...)');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // One trailing newline (echo, here-strings) is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function requirePasswordFlag(p: Parsed): void {
  if (!p.flags.has('--password-stdin')) throw new UsageError('the password is read from standard input: add --password-stdin');
}

function row(cols: string[], widths: number[]): string {
  return cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [row(head, widths), ...rows.map((r) => row(r, widths))].join('\n');
}

async function run(argv: string[], config: Config, db: Db, out: (s: string) => void): Promise<void> {
  if (await runSsoCommand(argv, config, db, out)) return;
  if (isConnectionCommand(argv)) return runConnectionCommand(argv, { config, db }, out);
  const p = parse(argv);
  const [group, action] = p.positional;
  const deps = { db, config };
  switch (`${group ?? ''} ${action ?? ''}`) {
    case 'tenant create': {
      expectArgs(p, 3, 'tenant create <domain> --name "<name>"');
      const name = p.flags.get('--name');
      if (typeof name !== 'string' || !name.trim()) throw new UsageError('tenant create needs --name "<display name>"');
      const t = await createTenant(db, { domain: p.positional[2], name });
      out(`created tenant ${t.domain} (${t.name}) id=${t.id}`);
      return;
    }
    case 'tenant list': {
      expectArgs(p, 2, 'tenant list');
      const ts = await listTenants(db);
      if (ts.length === 0) return out('no tenants');
      out(table(['DOMAIN', 'STATUS', 'CREATED', 'NAME'], ts.map((t) => [t.domain, t.enabled ? 'enabled' : 'disabled', t.createdAt.toISOString().slice(0, 10), t.name])));
      return;
    }
    case 'tenant disable':
    case 'tenant enable': {
      expectArgs(p, 3, `tenant ${action} <domain>`);
      const t = await requireTenantByDomain(db, p.positional[2]);
      await setTenantEnabled(db, t.id, action === 'enable');
      await recordAudit(db, { event: action === 'enable' ? 'tenant.enabled' : 'tenant.disabled', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: t.domain });
      out(`tenant ${t.domain} ${action}d${action === 'disable' ? ': its tokens and Entra connections are revoked (enabling it again does not revive them) and its managers cannot sign in' : ''}`);
      return;
    }
    case 'manager create': {
      expectArgs(p, 4, 'manager create <domain> <username> --password-stdin [--role admin|viewer]');
      requirePasswordFlag(p);
      const asked = p.flags.get('--role');
      if (asked !== undefined && !isRole(asked)) throw new UsageError('--role must be admin or viewer');
      const t = await requireTenantByDomain(db, p.positional[2]);
      // Same default as the console: a tenant's first manager is its admin, later ones are viewers.
      const role = asked ?? ((await listManagers(db, t.id)).some((x) => x.role === 'admin') ? 'viewer' : 'admin');
      const password = await readPasswordFromStdin();
      const m = await createManagerWithPassword(deps, { tenantId: t.id, username: p.positional[3], password, role });
      await recordAudit(db, { event: 'manager.added', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: m.username, detail: `role ${m.role}` });
      out(`created ${m.role} ${m.username} in ${t.domain}`);
      return;
    }
    case 'manager list': {
      expectArgs(p, 3, 'manager list <domain>');
      const t = await requireTenantByDomain(db, p.positional[2]);
      const ms = await listManagers(db, t.id);
      if (ms.length === 0) return out(`no managers in ${t.domain}`);
      out(
        table(
          ['USERNAME', 'ROLE', 'STATUS', 'LAST SIGN-IN'],
          ms.map((m) => [m.username, m.role, m.enabled ? (m.mustChangePassword ? 'must change password' : 'enabled') : 'disabled', m.lastLoginAt ? m.lastLoginAt.toISOString() : 'never']),
        ),
      );
      return;
    }
    case 'manager remove': {
      expectArgs(p, 4, 'manager remove <domain> <username>');
      const t = await requireTenantByDomain(db, p.positional[2]);
      const m = await findManagerByUsername(db, t.id, p.positional[3]);
      if (!m) throw new AccountError('unknown_manager', `no manager "${p.positional[3]}" in ${t.domain}`);
      await removeManager(db, t.id, m.id);
      await recordAudit(db, { event: 'manager.removed', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: m.username });
      out(`removed ${m.username} from ${t.domain}`);
      return;
    }
    case 'manager reset-password': {
      expectArgs(p, 4, 'manager reset-password <domain> <username> --password-stdin');
      requirePasswordFlag(p);
      const t = await requireTenantByDomain(db, p.positional[2]);
      const m = await findManagerByUsername(db, t.id, p.positional[3]);
      if (!m) throw new AccountError('unknown_manager', `no manager "${p.positional[3]}" in ${t.domain}`);
      const password = await readPasswordFromStdin();
      // The operator knows this password: the manager picks their own at the next console sign-in.
      await setPassword(deps, t.id, m.id, password, { mustChangePassword: true });
      await recordAudit(db, { event: 'password.changed', tenantId: t.id, actor: 'operator (CLI)', outcome: 'success', target: m.username, detail: 'reset by the operator' });
      out(`password of ${m.username} in ${t.domain} reset (to be changed at next console sign-in)`);
      return;
    }
    case 'entra show': {
      expectArgs(p, 2, 'entra show');
      const s = await entraSecrets(config, db);
      const issuer = `${config.publicUrl}/oauth`;
      out(
        [
          `Client ID:          ${config.entra.clientId}`,
          ...s.secrets.map((x, i) => `${i === 0 ? 'Client secret:     ' : 'Also accepted:     '} ${x}`),
          `Secret source:      ${s.generated ? 'generated and stored in the database (set ENTRA_CLIENT_SECRETS to manage it yourself)' : 'ENTRA_CLIENT_SECRETS'}`,
          `Redirect URIs:      ${config.entra.redirectUris.join(', ')}`,
          `Authorization URL:  ${issuer}/authorize`,
          `Token URL:          ${issuer}/token`,
          `SCIM base URL:      ${config.publicUrl}/scim/v2`,
          `Discovery:          ${issuer}/.well-known/openid-configuration`,
        ].join('\n'),
      );
      return;
    }
    case 'keys rotate': {
      expectArgs(p, 2, 'keys rotate');
      const r = await rotateSigningKey(db, loadDataKey(config).key);
      out(`new signing key ${r.kid}; previous key(s) ${r.retired.join(', ') || 'none'} stay published for verification. Restart the server to sign with the new key.`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${p.positional.slice(0, 2).join(' ')}" (see: npm run cli -- help)`);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0) {
    process.stderr.write('error: no command given (see: npm run cli -- help)\n');
    return 2;
  }
  if (argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  try {
    await run(argv, config, db, (s) => process.stdout.write(`${s}\n`));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof TokenCliError) {
      // Usage text may span lines; the reason is the first.
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof AccountError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}

process.exitCode = await main();
