// The data-encryption key: seals the signing keys, cookie/CSRF keys and generated secrets stored in
// the database, and keys the hashes under which tokens are stored. It must never live in the
// database, or a copy of the database would carry the means to read it.
//
// DATA_ENCRYPTION_KEY (32 bytes, hex or base64) in production. For the zero-config default only,
// one is generated into `secret.key` beside the SQLite file (mode 0600), and the caller warns.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { sqlitePath } from '../db/client.ts';
import { StartupError } from '../startup-error.ts';

export interface DataKey {
  key: Buffer;
  source: 'env' | 'file';
  /** The key file when source is 'file'. */
  file: string | null;
}

export const KEY_FILE_NAME = 'secret.key';

/** 32 bytes written as 64 hex digits or as base64 / base64url (43 or 44 characters). */
export function parseDataKey(text: string): Buffer | null {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url');
    return b.length === 32 ? b : null;
  }
  return null;
}

export function keyFilePath(databaseUrl: string): string {
  const db = sqlitePath(databaseUrl);
  return db ? path.join(path.dirname(db), KEY_FILE_NAME) : path.resolve('data', KEY_FILE_NAME);
}

const loaded = new Map<string, DataKey>();

/** The key for this configuration; generated and persisted on first use when none is configured. */
export function loadDataKey(config: Pick<Config, 'dataEncryptionKey' | 'databaseUrl'>): DataKey {
  if (config.dataEncryptionKey) {
    const key = parseDataKey(config.dataEncryptionKey);
    if (!key) throw new StartupError('DATA_ENCRYPTION_KEY must be 32 bytes written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
    return { key, source: 'env', file: null };
  }
  const file = keyFilePath(config.databaseUrl);
  const cached = loaded.get(file);
  if (cached && fs.existsSync(file)) return cached;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': two processes starting together cannot both write; the loser reads the winner's key.
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = parseDataKey(fs.readFileSync(file, 'utf8'));
  if (!key) throw new StartupError(`${file} does not hold a 32-byte key (hex or base64): restore it, or set DATA_ENCRYPTION_KEY to the key this database was sealed with`);
  const dk: DataKey = { key, source: 'file', file };
  loaded.set(file, dk);
  return dk;
}
