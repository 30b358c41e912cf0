// The stored *Key columns: the lower-cased form of caseExact:false attributes (RFC 7643 §2.2) that
// equality, uniqueness, sorting and co/sw/ew filters run on in the database.
//
// co/sw/ew become SQL LIKE through Prisma's contains/startsWith/endsWith, and Prisma cannot escape
// LIKE's wildcards (prisma/prisma#19506; SQLite has no default escape character at all), so
// `userName co "_"` used to match every user. Keys therefore never contain a LIKE metacharacter:
// `%`, `_` and `\` (PostgreSQL's default escape) are stored as private-use characters, and every
// operand compared with a key goes through the same function. Equality and uniqueness are
// unchanged (the mapping is one-to-one); values are always rendered from the stored resource.
const LIKE_SAFE: Record<string, string> = { '%': '\uE000', _: '\uE001', '\\': '\uE002' };

export function searchKey(s: string): string {
  return s.toLowerCase().replace(/[%_\\]/g, (c) => LIKE_SAFE[c]);
}
