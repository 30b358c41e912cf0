// Substring search that matches the same rows on both databases. Prisma's `contains` escapes
// `%` and `_` on both, but compiles to LIKE, which SQLite compares case-insensitively (ASCII) and
// PostgreSQL case-sensitively; PostgreSQL needs `mode: 'insensitive'` (ILIKE), which the SQLite
// client's types do not have, hence the cast.
import { isPostgres, type Db, type Prisma } from './client.ts';

export function containsText(db: Db, term: string): Prisma.StringFilter {
  return (isPostgres(db) ? { contains: term, mode: 'insensitive' } : { contains: term }) as Prisma.StringFilter;
}
