// Request-body checks that JSON.parse does not make, each O(size of the body):
// - nesting depth: a body nested thousands of levels deep parses fine but overflows the stack of
//   every recursive walk after it (Bulk's bulkId resolution, structuredClone); it is refused
//   before parsing, so the parse itself cannot be made expensive either;
// - lone surrogates: "\ud800" is valid JSON (RFC 8259 §8.2 leaves it to the receiver) but not a
//   Unicode character: it cannot be stored as UTF-8 nor compared, so it is refused (invalidValue);
// - "__proto__" keys: JSON.parse makes them own properties, but any later `obj[key] = …` copy
//   would set a prototype instead; no SCIM attribute has that name, so it is refused.
import { InvalidSyntaxError, InvalidValueError } from './errors.ts';
import { MAX_JSON_DEPTH } from './limits.ts';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** Deepest nesting of arrays/objects in JSON text, stopping as soon as `max` is exceeded. */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function check(v: unknown, path: string): void {
  if (typeof v === 'string') {
    if (hasLoneSurrogate(v)) throw new InvalidValueError(`The value at ${path || 'the top level'} contains a lone UTF-16 surrogate, which is not a Unicode character`);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) check(v[i], `${path}[${i}]`);
    return;
  }
  for (const k of Object.keys(v)) {
    if (k === '__proto__') throw new InvalidSyntaxError(`"__proto__" is not a valid member name (at ${path || 'the top level'})`);
    if (hasLoneSurrogate(k)) throw new InvalidValueError(`A member name at ${path || 'the top level'} contains a lone UTF-16 surrogate, which is not a Unicode character`);
    check((v as Record<string, unknown>)[k], path ? `${path}.${k.slice(0, 40)}` : k.slice(0, 40));
  }
}

/** JSON text → value, with the checks above. The walk recurses at most MAX_JSON_DEPTH levels. */
export function parseGuardedJson(text: string): unknown {
  if (jsonDepthExceeds(text)) throw new InvalidSyntaxError(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidSyntaxError('The request body is not valid JSON');
  }
  // A lone surrogate can only come from a \uD800-style escape (or raw in the text, which a UTF-8
  // request body cannot carry), and "__proto__" only as itself or through escapes: without either
  // in the text, the walk has nothing to find (Entra's bodies: one scan instead of a walk).
  if (text.includes('\\u') || text.includes('__proto__') || hasLoneSurrogate(text)) check(value, '');
  return value;
}
