// argon2id password hashes. Parameters come from config (production defaults are
// OWASP's argon2id recommendation; tests use cheap ones).
import argon2 from 'argon2';
import type { Config } from '../config.ts';

export type Argon2Params = Config['argon2'];

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // malformed stored hash: never a match
  }
}

const dummyHashes = new Map<string, Promise<string>>();

/** Verifying against a throw-away hash when the username is unknown keeps the response time the
 * same as for a wrong password, so timing does not reveal which usernames exist. */
export async function verifyDummy(password: string, params: Argon2Params): Promise<void> {
  const key = `${params.memoryCost}:${params.timeCost}:${params.parallelism}`;
  let h = dummyHashes.get(key);
  if (!h) {
    h = hashPassword('dummy-password-for-timing', params);
    dummyHashes.set(key, h);
  }
  await verifyPassword(await h, password);
}
