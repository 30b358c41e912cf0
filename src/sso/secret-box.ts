// The upstream OIDC client secret must be usable again, so it is sealed (AES-256-GCM) rather than
// hashed, under a subkey of the server's data-encryption key that serves only this purpose. The
// AAD names the tenant, so a sealed secret cannot be copied to another tenant's row.
import type { Config } from '../config.ts';
import { loadDataKey } from '../secrets/data-key.ts';
import { open, seal, subkey } from '../secrets/seal.ts';

const PURPOSE = 'sso-oidc-client-secret';

function key(config: Pick<Config, 'dataEncryptionKey' | 'databaseUrl'>): Buffer {
  return subkey(loadDataKey(config).key, PURPOSE);
}

export function sealClientSecret(config: Pick<Config, 'dataEncryptionKey' | 'databaseUrl'>, tenantId: string, secret: string): string {
  return seal(key(config), secret, `${PURPOSE}:${tenantId}`);
}

export function openClientSecret(config: Pick<Config, 'dataEncryptionKey' | 'databaseUrl'>, tenantId: string, sealed: string): string {
  return open(key(config), sealed, `${PURPOSE}:${tenantId}`);
}
