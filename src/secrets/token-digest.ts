// Tokens are stored and cached only under a keyed hash of their value: a copy of the database
// holds no usable token, and without the data key it cannot even confirm a guessed one.
import crypto from 'node:crypto';
import { subkey } from './seal.ts';

export type TokenDigest = (value: string) => string;

export function tokenDigester(dataKey: Buffer): TokenDigest {
  // A KeyObject made once: given raw key bytes, createHmac imports them into a new key on every
  // call, which cost ~30 µs per SCIM request against ~6 µs with the prepared key.
  const k = crypto.createSecretKey(subkey(dataKey, 'securelogin token digest v1'));
  return (value) => crypto.createHmac('sha256', k).update(value, 'utf8').digest('base64url');
}
