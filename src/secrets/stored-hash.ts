// How a random credential (session cookie, sign-in handle, API secret, secret token) is stored:
// its SHA-256, so a copy of the database holds no usable value. A fast unkeyed hash suffices
// because every such value carries 256 random bits: there is no dictionary to try against it.
import crypto from 'node:crypto';

export function storedHash(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}
