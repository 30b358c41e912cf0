// Re-reads each tenant's App Federation Metadata URL (daily), so an Entra certificate rollover
// needs no admin work: the certificate list becomes the one the metadata lists now. A fetch that
// fails, or metadata whose entityID changed (another app or tenant), changes nothing and is logged.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import { listSamlConfigsWithMetadataUrl } from '../db/sso-config.ts';
import { saveSaml, type MatchAttribute } from './config-store.ts';
import { fetchMetadata, parseIdpMetadata, type FetchLimits } from './metadata.ts';

export const REFRESH_INTERVAL_MS = 24 * 3600_000;

export async function refreshMetadata(db: Db, log: Pick<FastifyBaseLogger, 'info' | 'warn'>, limits?: FetchLimits): Promise<{ updated: number; failed: number }> {
  const rows = await listSamlConfigsWithMetadataUrl(db);
  let updated = 0;
  let failed = 0;
  for (const cfg of rows) {
    try {
      const md = parseIdpMetadata(await fetchMetadata(cfg.metadataUrl!, limits));
      if (md.entityId !== cfg.idpEntityId) throw new Error(`entityID changed from ${cfg.idpEntityId} to ${md.entityId}; re-import it in the console to accept`);
      await saveSaml(db, cfg.tenantId, {
        idpEntityId: md.entityId,
        idpSsoUrl: md.ssoUrl,
        idpSloUrl: md.sloUrl,
        entraTenantId: md.entraTenantId,
        metadataUrl: cfg.metadataUrl,
        certs: md.certs,
        certSource: 'url',
        matchAttribute: cfg.matchAttribute as MatchAttribute,
        allowIdpInitiated: cfg.allowIdpInitiated,
        allowSha1: cfg.allowSha1,
      });
      updated++;
    } catch (err) {
      failed++;
      log.warn({ tenantId: cfg.tenantId, err: (err as Error).message }, 'SAML metadata refresh failed; keeping the pinned certificates');
    }
  }
  return { updated, failed };
}
