// One word → AttrPath (RFC 7644 §3.4.2.2 attrPath = [URI ":"] ATTRNAME *1subAttr).
import type { AttrPath } from './ast.ts';
import type { ErrorFactory } from './lexer.ts';
import { ATTRIBUTE_URNS } from '../resources/urns.ts';

// ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved name starting with "$" (RFC 7643 §2.1).
const ATTRNAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9:._-]*$/i;

export function isAttrName(s: string): boolean {
  return ATTRNAME.test(s);
}

export function parseAttrPath(word: string, fail: ErrorFactory): AttrPath {
  let uri: string | undefined;
  let rest = word;
  if (/^urn:/i.test(word)) {
    const lower = word.toLowerCase();
    const known = ATTRIBUTE_URNS.find((u) => lower.startsWith(u.toLowerCase() + ':'));
    const cut = known ? known.length : word.lastIndexOf(':');
    uri = word.slice(0, cut);
    rest = word.slice(cut + 1);
    if (!URN.test(uri) || rest === '') throw fail(`"${clip(word)}" is not a valid attribute path (URN without an attribute name)`);
  }
  const parts = rest.split('.');
  if (parts.length > 2) throw fail(`"${clip(word)}" is not a valid attribute path (at most one sub-attribute)`);
  const [attr, sub] = parts;
  if (!isAttrName(attr)) throw fail(`"${clip(word)}" is not a valid attribute name`);
  if (sub !== undefined && !isAttrName(sub)) throw fail(`"${clip(word)}" has an invalid sub-attribute name`);
  return { ...(uri !== undefined ? { uri } : {}), attr, ...(sub !== undefined ? { sub } : {}) };
}

export function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
