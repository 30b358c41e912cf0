// One password rule for the CLI and the console (issue 2 §3, issue 4 §6). Length is what matters
// (NIST SP 800-63B §5.1.1.2); the class rule only rejects the laziest choices such as
// "aaaaaaaaaaaa" or "123456789012", without composition games.
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export const PASSWORD_RULE = `at least ${MIN_PASSWORD_LENGTH} characters, mixing at least two of: lower-case letters, upper-case letters, digits, symbols; not one repeated character`;

/** null when acceptable, otherwise a sentence that says what is wrong. */
export function passwordProblem(password: string, context: { username?: string } = {}): string | null {
  if (!password) return 'password is empty';
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return `password is too short: use ${PASSWORD_RULE}`;
  if (chars.length > MAX_PASSWORD_LENGTH) return `password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`;
  if (new Set(chars).size === 1) return `password is one repeated character: use ${PASSWORD_RULE}`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 2) return `password is too simple: use ${PASSWORD_RULE}`;
  if (context.username && password.toLowerCase().includes(context.username.trim().toLowerCase()) && context.username.trim().length >= 3) {
    return 'password must not contain the username';
  }
  return null;
}
