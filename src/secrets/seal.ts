// AES-256-GCM for values we must read again (signing keys, cookie keys, generated secrets) and
// cannot therefore hash. The stored form "sealed:v1.<iv>.<tag>.<ciphertext>" (base64url) tells a
// sealed value from a plaintext one left by an older version, which is sealed on first start.
// The AAD binds a value to its purpose, so a sealed cookie key cannot be swapped into a JWK column.
import crypto from 'node:crypto';
import { StartupError } from '../startup-error.ts';

const PREFIX = 'sealed:v1.';

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return `${PREFIX}${[iv, c.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.')}`;
}

/** Throws when the value was sealed under another key or for another purpose. */
export function open(key: Buffer, stored: string, aad: string): string {
  if (!isSealed(stored)) throw new Error('value is not sealed');
  const [iv, tag, ct] = stored.slice(PREFIX.length).split('.');
  if (!iv || !tag || ct === undefined) throw new Error('unreadable sealed value');
  const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  } catch {
    // At start-up this means the wrong key was configured: one clear line for the operator.
    throw new StartupError('a sealed value cannot be opened: DATA_ENCRYPTION_KEY (or secret.key beside the database) is not the key this database was sealed with');
  }
}

/** A key of its own for each use of the data key (RFC 5869), so no two uses share key material. */
export function subkey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), purpose, 32));
}
