// Size bounds on what one tenant may store and ask for, so that no request and no stored resource
// can exhaust the process's heap (the server runs with a 256 MB old space) or exceed a database
// statement's parameter limit. Every bound answers 400 invalidValue naming the attribute and the
// limit; none is reached by Entra ID's own traffic.
import { InvalidValueError } from './errors.ts';

/**
 * Any string attribute value, in UTF-16 characters (checked in O(1) on `.length`). The largest
 * legitimate values are x509Certificates (base64 DER: 1–3 KB, rarely above 16 KB with long
 * extension lists) and photo/profile URLs (browsers cap URLs near 64 K): 64 Ki characters keeps
 * every real value and stops megabyte strings.
 */
export const MAX_STRING_CHARS = 65_536;

/**
 * Identifiers that are indexed and compared on every lookup: userName, externalId, a Group's
 * displayName, and the ids in members[].value and manager.value. Entra's longest are UPNs
 * (113 characters), mail addresses (320) and group names (256); 1 Ki leaves ample room.
 */
export const MAX_IDENTIFIER_CHARS = 1_024;

/** Values of one multi-valued attribute (emails, phoneNumbers, ims, photos, addresses,
 * entitlements, roles, x509Certificates). Entra sends a handful; 1,000 admits the largest
 * role/entitlement assignments seen in practice. */
export const MAX_VALUES_PER_ATTRIBUTE = 1_000;

/** One stored resource, as UTF-8 bytes of its JSON document. A User carrying every attribute at a
 * realistic size stays under 16 KiB; 128 KiB keeps a page of 1,000 resources far below the heap. */
export const MAX_RESOURCE_BYTES = 131_072;

/** Member values named in one request (POST/PUT members, or the sum over one PATCH's operations).
 * Groups may be larger: they grow by several requests. Entra sends membership changes in small
 * batches; a bound keeps one transaction (and the single SQLite writer) short. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** Nesting of any JSON request body. A SCIM resource is at most 4 levels deep (Bulk → operation →
 * data → complex attribute → sub-attribute); 64 leaves room and stops recursion on hostile input. */
export const MAX_JSON_DEPTH = 64;

/** Rows fetched per page query: the transient memory of one fetch is this many resources. */
export const PAGE_FETCH_ROWS = 100;
/** Groups with their members are fetched in smaller steps: a group's member list is unbounded. */
export const PAGE_FETCH_GROUPS_WITH_MEMBERS = 10;

/** Labels (as the mappers name attributes) of the User identifiers bounded by MAX_IDENTIFIER_CHARS. */
export function isIdentifier(label: string): boolean {
  return label === 'userName' || label === 'externalId' || label.endsWith(':manager.value');
}

/** A string value of attribute `label` within its bound (identifiers smaller, see above). */
export function checkString(v: string, label: string, max = MAX_STRING_CHARS): string {
  if (v.length > max) {
    throw new InvalidValueError(`Attribute "${label}" is ${v.length} characters long; the maximum is ${max}`);
  }
  return v;
}

export function checkIdentifier(v: string, label: string): string {
  return checkString(v, label, MAX_IDENTIFIER_CHARS);
}

export function checkValueCount(n: number, label: string): void {
  if (n > MAX_VALUES_PER_ATTRIBUTE) {
    throw new InvalidValueError(`Attribute "${label}" has ${n} values; the maximum is ${MAX_VALUES_PER_ATTRIBUTE}`);
  }
}

/** `json` is the stored document; its UTF-8 size is at most 3 bytes per character, so the exact
 * count runs only when the character count alone cannot decide. */
export function checkResourceSize(json: string, what: 'User' | 'Group'): void {
  if (json.length * 3 <= MAX_RESOURCE_BYTES) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_RESOURCE_BYTES) {
    throw new InvalidValueError(`The ${what} resource is ${bytes} bytes as stored; the maximum is ${MAX_RESOURCE_BYTES}`);
  }
}

export function checkMemberCount(n: number): void {
  if (n > MAX_MEMBERS_PER_REQUEST) {
    throw new InvalidValueError(
      `The request names ${n} members; the maximum is ${MAX_MEMBERS_PER_REQUEST} per request (add larger memberships in several PATCH requests)`,
    );
  }
}
