// One password rule for the CLI, the console and the forced first change (NIST SP 800-63B
// §5.1.1.2): length is what matters (12 to 128 characters, any characters, spaces included), no
// composition rules, and a blocklist: common and breached passwords, one repeated character, and
// anything containing the username or the tenant's domain (context-specific words).
import { isCommonPassword } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export const PASSWORD_RULE = `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (a few unrelated words make a good one); not a commonly used or breached password, and not containing your username or your organisation's domain`;

/** Words shorter than this are too common inside unrelated passwords to be refused. */
const MIN_CONTEXT_WORD = 3;

function contextWords(context: { username?: string; domain?: string }): string[] {
  const words = [context.username?.trim().toLowerCase() ?? ''];
  // The whole domain and each of its labels ("acme.example" → acme.example, acme, example).
  const domain = context.domain?.trim().toLowerCase() ?? '';
  if (domain) words.push(domain, ...domain.split('.'));
  return words.filter((w) => [...w].length >= MIN_CONTEXT_WORD);
}

/** null when acceptable, otherwise a sentence that says what is wrong. */
export function passwordProblem(password: string, context: { username?: string; domain?: string } = {}): string | null {
  if (!password) return 'password is empty';
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return `password is too short: use ${PASSWORD_RULE}`;
  if (chars.length > MAX_PASSWORD_LENGTH) return `password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`;
  if (new Set(chars).size === 1) return 'password is one repeated character: choose something harder to guess';
  if (isCommonPassword(password)) return 'password is on the list of commonly used or breached passwords: choose another one';
  const lower = password.toLowerCase();
  if (context.username && contextWords({ username: context.username }).some((w) => lower.includes(w))) return 'password must not contain the username';
  if (context.domain && contextWords({ domain: context.domain }).some((w) => lower.includes(w))) return "password must not contain the organisation's domain";
  return null;
}
