// Operator commands for single sign-on: `sso show|saml|oidc|off <domain>` and `app create`.
// Same conventions as cli.ts: one line of output per fact, one-line reasons on bad input.
import fs from 'node:fs';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { requireTenantByDomain } from './db/tenants.ts';
import { loadCerts, loadSsoConfig, removeSso } from './sso/config-store.ts';
import { configureOidc, configureSaml, parseMatch, SsoConfigError } from './sso/configure.ts';
import { expiryState } from './sso/certs.ts';
import { spUrls, URL_KEYS } from './sso/urls.ts';
import { createApp } from './sso/apps.ts';
import { offDetail } from './sso/config-audit.ts';
import { recordAudit } from './audit/record.ts';
import type { AuditEventName } from './audit/events.ts';

const OPERATOR = 'operator (CLI)';
const audit = (db: Db, tenantId: string, event: AuditEventName, detail: string, target: string | null = null) =>
  recordAudit(db, { event, tenantId, actor: OPERATOR, outcome: 'success', target, detail });

export const SSO_USAGE = `  sso show <domain>
  sso saml <domain> --metadata-file <path> | --metadata-url <url> [--match userName|externalId|email] [--allow-idp-initiated]
  sso oidc <domain> --issuer <url> --client-id <id> --client-secret-stdin [--match userName|externalId|email]
  sso off <domain>
  app create <domain> <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--public] [--initiate-login-uri <uri>]`;

const VALUE = new Set(['--metadata-file', '--metadata-url', '--match', '--issuer', '--client-id', '--redirect-uri', '--initiate-login-uri']);
const BOOL = new Set(['--allow-idp-initiated', '--client-secret-stdin', '--public']);

interface Args {
  pos: string[];
  values: Map<string, string[]>;
  bools: Set<string>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { pos: [], values: new Map(), bools: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      a.pos.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE.has(name)) {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new SsoConfigError(`${name} needs a value`);
      a.values.set(name, [...(a.values.get(name) ?? []), v]);
    } else if (BOOL.has(name) && eq < 0) {
      a.bools.add(name);
    } else {
      throw new SsoConfigError(`unknown option ${name}`);
    }
  }
  return a;
}

const one = (a: Args, name: string) => a.values.get(name)?.at(-1);

function expect(a: Args, n: number, shape: string, allowed: string[]): void {
  if (a.pos.length !== n) throw new SsoConfigError(`usage: npm run cli -- ${shape}`);
  for (const k of [...a.values.keys(), ...a.bools]) {
    if (!allowed.includes(k)) throw new SsoConfigError(`${k} does not apply to "${a.pos.slice(0, 2).join(' ')}"`);
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new SsoConfigError('--client-secret-stdin expects the secret on standard input');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Runs an `sso …` or `app …` command; false when argv is not one of them. */
export async function runSsoCommand(argv: string[], config: Config, db: Db, out: (s: string) => void, stdin: () => Promise<string> = readStdin): Promise<boolean> {
  if (argv[0] !== 'sso' && argv[0] !== 'app') return false;
  const a = parseArgs(argv);
  const cmd = `${a.pos[0]} ${a.pos[1] ?? ''}`;
  switch (cmd) {
    case 'sso show': {
      expect(a, 3, 'sso show <domain>', []);
      const t = await requireTenantByDomain(db, a.pos[2]);
      const urls = spUrls(config, t.id);
      const lines = URL_KEYS.map((k) => `${k}: ${urls[k]}`);
      lines.push(`tenant_id: ${t.id}`);
      const cfg = await loadSsoConfig(db, t.id);
      lines.push(`protocol: ${cfg?.protocol ?? 'off'}`);
      if (cfg) {
        lines.push(`match: ${cfg.matchAttribute}`, `enforce: ${cfg.enforce ? 'required' : 'optional'}`);
        if (cfg.entraTenantId) lines.push(`entra_tenant_id: ${cfg.entraTenantId}`);
        if (cfg.protocol === 'saml') {
          lines.push(`idp_entity_id: ${cfg.idpEntityId}`, `idp_sso_url: ${cfg.idpSsoUrl}`);
          if (cfg.idpSloUrl) lines.push(`idp_slo_url: ${cfg.idpSloUrl}`);
          if (cfg.metadataUrl) lines.push(`idp_metadata_url: ${cfg.metadataUrl}`);
          lines.push(`allow_idp_initiated: ${cfg.allowIdpInitiated ? 'yes' : 'no'}`, `allow_sha1: ${cfg.allowSha1 ? 'yes' : 'no'}`, `allow_expired_certs: ${cfg.allowExpiredCerts ? 'yes' : 'no'}`);
          for (const c of await loadCerts(db, t.id)) {
            lines.push(`certificate: ${c.fingerprint} expires ${c.notAfter.toISOString()} (${expiryState(c.notAfter)})`);
          }
        } else {
          lines.push(`oidc_issuer: ${cfg.oidcIssuer}`, `oidc_client_id: ${cfg.oidcClientId}`, `oidc_client_secret: ${cfg.oidcSecretEnc ? 'stored encrypted' : 'missing'}`);
        }
      }
      out(lines.join('\n'));
      return true;
    }
    case 'sso saml': {
      expect(a, 3, 'sso saml <domain> --metadata-file <path> | --metadata-url <url>', ['--metadata-file', '--metadata-url', '--match', '--allow-idp-initiated']);
      const file = one(a, '--metadata-file');
      const url = one(a, '--metadata-url');
      if ((file === undefined) === (url === undefined)) throw new SsoConfigError('give exactly one of --metadata-file <path> or --metadata-url <url>');
      const t = await requireTenantByDomain(db, a.pos[2]);
      let xml: string | undefined;
      if (file !== undefined) {
        try {
          xml = fs.readFileSync(file, 'utf8');
        } catch (err) {
          throw new SsoConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      const matchAttribute = parseMatch(one(a, '--match'));
      const allowIdpInitiated = a.bools.has('--allow-idp-initiated');
      const md = await configureSaml(db, t.id, { xml, url, matchAttribute, allowIdpInitiated });
      await audit(db, t.id, 'sso.configured', `SAML 2.0: issuer ${md.entityId}, ${md.certs.length} signing certificate(s) from ${url ? 'the metadata URL' : 'a metadata file'}, match on ${matchAttribute}, IdP-initiated ${allowIdpInitiated ? 'on' : 'off'}`);
      out(`SAML single sign-on configured for ${t.domain}: issuer ${md.entityId}, ${md.certs.length} signing certificate(s)`);
      return true;
    }
    case 'sso oidc': {
      expect(a, 3, 'sso oidc <domain> --issuer <url> --client-id <id> --client-secret-stdin', ['--issuer', '--client-id', '--client-secret-stdin', '--match']);
      const issuer = one(a, '--issuer');
      const clientId = one(a, '--client-id');
      if (!issuer || !clientId) throw new SsoConfigError('sso oidc needs --issuer <url> and --client-id <id>');
      if (!a.bools.has('--client-secret-stdin')) throw new SsoConfigError('the client secret is read from standard input: add --client-secret-stdin');
      const t = await requireTenantByDomain(db, a.pos[2]);
      const matchAttribute = parseMatch(one(a, '--match'));
      const clientSecret = await stdin();
      const r = await configureOidc(db, config, t.id, { issuer, clientId, clientSecret, matchAttribute });
      await audit(db, t.id, 'sso.configured', `OpenID Connect: issuer ${r.issuer}, client id ${clientId.trim()}, new client secret, match on ${matchAttribute}`);
      out(`OpenID Connect single sign-on configured for ${t.domain}: issuer ${r.issuer}; register ${spUrls(config, t.id).oidc_redirect_uri} as its redirect URI`);
      return true;
    }
    case 'sso off': {
      expect(a, 3, 'sso off <domain>', []);
      const t = await requireTenantByDomain(db, a.pos[2]);
      const before = await loadSsoConfig(db, t.id);
      const had = await removeSso(db, t.id);
      if (had) await audit(db, t.id, 'sso.disabled', offDetail(before?.enforce ?? false));
      out(had ? `single sign-on turned off for ${t.domain}` : `single sign-on was not configured for ${t.domain}`);
      return true;
    }
    case 'app create': {
      expect(a, 4, 'app create <domain> <name> --redirect-uri <uri> [--public] [--initiate-login-uri <uri>]', ['--redirect-uri', '--public', '--initiate-login-uri']);
      const t = await requireTenantByDomain(db, a.pos[2]);
      const r = await createApp(db, { tenantId: t.id, name: a.pos[3], redirectUris: a.values.get('--redirect-uri') ?? [], isPublic: a.bools.has('--public'), initiateLoginUri: one(a, '--initiate-login-uri') ?? null });
      await audit(db, t.id, 'sso.app_created', `${a.bools.has('--public') ? 'public' : 'confidential'} client ${r.clientId}`, a.pos[3].trim());
      out([`client_id: ${r.clientId}`, ...(r.clientSecret ? [`client_secret: ${r.clientSecret}`] : []), `issuer: ${config.publicUrl}/oauth`].join('\n'));
      return true;
    }
    default:
      throw new SsoConfigError(`unknown command "${a.pos.slice(0, 2).join(' ')}" (see: npm run cli -- help)`);
  }
}
