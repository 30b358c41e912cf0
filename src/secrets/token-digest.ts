// Tokens are stored and cached only under a keyed hash of their value: a copy of the database
// holds no usable token, and without the data key it cannot even confirm a guessed one.
import crypto from 'node:crypto';
import { subkey } from './seal.ts';

export type TokenDigest = (value: string) => string;

export function tokenDigester(dataKey: Buffer): TokenDigest {
  const k = subkey(dataKey, 'securelogin token digest v1');
  return (value) => crypto.createHmac('sha256', k).update(value, 'utf8').digest('base64url');
}
