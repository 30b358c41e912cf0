// Substring search as SQL that selects the same rows on SQLite and PostgreSQL. Prisma's `contains`
// compiles to LIKE without an ESCAPE clause, so `%` and `_` in a search term are wildcards on both
// databases and `\` escapes on PostgreSQL only; and LIKE ignores the case of ASCII letters on SQLite
// but not on PostgreSQL, whose ILIKE folds every script's letters, which SQLite compares exactly.
// Here a term's `%`, `_` and `\` are escaped under an explicit ESCAPE '\', and ASCII letters match
// in any case on both: SQLite's LIKE does that by itself, on PostgreSQL both sides are folded with
// translate() (lower() would fold non-ASCII letters too).
import { isPostgres, type Db } from './client.ts';
import { Prisma } from './generated/client.ts';

const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** `term` with LIKE's metacharacters escaped by a backslash, for `LIKE … ESCAPE '\'`. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `column` holds `term` as a substring, literally, ASCII letters in any case. */
export function textContainsSql(db: Db, column: Prisma.Sql, term: string): Prisma.Sql {
  const pattern = `%${escapeLike(term)}%`;
  if (!isPostgres(db)) return Prisma.sql`${column} LIKE ${pattern} ESCAPE '\\'`;
  return Prisma.sql`translate(${column}, ${ASCII_UPPER}, ${ASCII_LOWER}) LIKE ${asciiLower(pattern)} ESCAPE '\\'`;
}

/** A stored key column (lower-cased, LIKE-safe: search-key.ts) holds `key`, the search term
 * through the same function. */
export function keyContainsSql(column: Prisma.Sql, key: string): Prisma.Sql {
  return Prisma.sql`${column} LIKE ${`%${escapeLike(key)}%`} ESCAPE '\\'`;
}
