// ETags (RFC 7644 §3.14): weak validators over the row version, which every write bumps.
import { PreconditionFailedError } from './errors.ts';

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//i, ''))
    .filter((t) => t.length > 0);
}

/** If-Match / If-None-Match comparison is weak (RFC 7232 §2.3.2): W/"3" matches "3". */
export function etagMatches(header: string, version: number): boolean {
  const want = `"${version}"`;
  return tags(header).some((t) => t === '*' || t === want);
}

/** Runs inside the write transaction, against the version the transaction read. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch !== undefined && ifMatch.trim() !== '' && !etagMatches(ifMatch, version)) {
    throw new PreconditionFailedError(`If-Match ${ifMatch} does not match the current version ${etagOf(version)}`);
  }
}
