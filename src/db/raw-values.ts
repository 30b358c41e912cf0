// Values read back from raw SELECTs, made the same on both databases. Prisma's model API returns
// Date for DateTime columns on both; a raw SELECT returns what the driver gives: on SQLite the
// adapter's stored ISO text (or epoch milliseconds for rows written by other tools), on PostgreSQL
// a Date. COUNT(*) is bigint on PostgreSQL and a number on SQLite.

export function rawDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v));
  if (typeof v === 'string') {
    // SQLite's CURRENT_TIMESTAMP form ("YYYY-MM-DD HH:MM:SS") is UTC without a zone designator.
    const d = new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v) ? `${v.replace(' ', 'T')}Z` : v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new TypeError(`not a stored date: ${String(v)}`);
}

export function rawCount(v: unknown): number {
  return Number(v ?? 0);
}
