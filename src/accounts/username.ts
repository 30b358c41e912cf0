// Manager usernames and roles: what a new manager may be called and what role they may have. The
// CLI, the console and the sign-in pages all go through these checks.
import { isRole, type Role } from '../db/managers.ts';
import { AccountError } from './errors.ts';

/** 1 to 128 characters, letters, digits and . _ @ + -, starting with a letter or digit: an email
 * address or a short name both fit, and nothing needs escaping in a URL, a log line or a CLI. */
const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** The username as stored (surrounding spaces removed), or an invalid_username error. */
export function validateUsername(username: string): string {
  const u = username.trim();
  if (!USERNAME_RE.test(u)) {
    throw new AccountError('invalid_username', 'username must be 1 to 128 characters: letters, digits and . _ @ + -, starting with a letter or digit');
  }
  return u;
}

export function validateRole(role: unknown): Role {
  if (!isRole(role)) throw new AccountError('invalid_role', 'role must be admin or viewer');
  return role;
}
