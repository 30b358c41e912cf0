// Turning an admin's input (metadata file or URL, OIDC issuer + client) into a stored SSO config.
// Shared by the CLI and the console; every refusal is one line.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { MATCH_ATTRIBUTES, saveOidc, saveSaml, type MatchAttribute } from './config-store.ts';
import { fetchMetadata, parseIdpMetadata, tenantIdFromIssuer, type FetchLimits } from './metadata.ts';

export class SsoConfigError extends Error {}

export function parseMatch(v: string | undefined, def: MatchAttribute = 'userName'): MatchAttribute {
  if (v === undefined) return def;
  const m = MATCH_ATTRIBUTES.find((a) => a.toLowerCase() === v.trim().toLowerCase());
  if (!m) throw new SsoConfigError(`--match must be one of ${MATCH_ATTRIBUTES.join(', ')} (got "${v}")`);
  return m;
}

export async function configureSaml(
  db: Db,
  tenantId: string,
  input: { xml?: string; url?: string; matchAttribute: MatchAttribute; allowIdpInitiated: boolean; allowSha1?: boolean; fetchLimits?: FetchLimits },
) {
  const xml = input.xml ?? (input.url ? await fetchMetadata(input.url, input.fetchLimits) : null);
  if (xml === null) throw new SsoConfigError('give the metadata as a file or a URL');
  const md = parseIdpMetadata(xml);
  await saveSaml(db, tenantId, {
    idpEntityId: md.entityId,
    idpSsoUrl: md.ssoUrl,
    idpSloUrl: md.sloUrl,
    entraTenantId: md.entraTenantId,
    metadataUrl: input.url ?? null,
    certs: md.certs,
    certSource: input.url ? 'url' : 'file',
    matchAttribute: input.matchAttribute,
    allowIdpInitiated: input.allowIdpInitiated,
    allowSha1: input.allowSha1,
  });
  return md;
}

export async function configureOidc(
  db: Db,
  config: Config,
  tenantId: string,
  input: { issuer: string; clientId: string; clientSecret: string; matchAttribute: MatchAttribute },
) {
  let u: URL;
  try {
    u = new URL(input.issuer);
  } catch {
    throw new SsoConfigError(`--issuer must be a URL such as https://login.microsoftonline.com/<tenant id>/v2.0 (got "${input.issuer}")`);
  }
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new SsoConfigError('--issuer must be an https URL');
  const issuer = input.issuer.replace(/\/+$/, '');
  // The tenant-specific v2.0 authority carries the GUID the tid claim must equal; "common" and
  // "organizations" would accept any Entra tenant.
  const entraTenantId = tenantIdFromIssuer(issuer);
  if (!entraTenantId) throw new SsoConfigError('--issuer must name the Entra tenant by its id: https://login.microsoftonline.com/<tenant id>/v2.0');
  if (!input.clientId.trim()) throw new SsoConfigError('--client-id is empty');
  if (!input.clientSecret) throw new SsoConfigError('the client secret read from standard input is empty');
  await saveOidc(db, config, tenantId, { issuer, clientId: input.clientId.trim(), clientSecret: input.clientSecret, entraTenantId, matchAttribute: input.matchAttribute });
  return { issuer, entraTenantId };
}
