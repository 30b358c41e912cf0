// Tokenizer shared by the filter parser and the PATCH path parser (RFC 7644 §3.4.2.2, §3.5.2).
// Words are maximal runs of characters other than whitespace, ( ) [ ] and "; whether a word is an
// attribute path, an operator, a keyword or a bare value is decided by the parser from context.
import { InvalidFilterError } from '../errors.ts';
import { hasLoneSurrogate } from '../json-guard.ts';

export type Token =
  | { type: 'word'; text: string; pos: number; end: number }
  | { type: 'string'; text: string; pos: number; end: number }
  | { type: '(' | ')' | '[' | ']'; text: string; pos: number; end: number };

const PUNCT = new Set(['(', ')', '[', ']']);
const SPACE = /[\s]/;

/** Error factory so a PATCH path can report invalidPath instead of invalidFilter. */
export type ErrorFactory = (detail: string) => Error;
export const filterError: ErrorFactory = (d) => new InvalidFilterError(d);

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', "'": "'" };

export function tokenize(input: string, fail: ErrorFactory = filterError): Token[] {
  if (hasLoneSurrogate(input)) throw fail('The text contains a lone UTF-16 surrogate, which is not a Unicode character');
  const out: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i];
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ type: c as '(' | ')' | '[' | ']', text: c, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      // JSON string rules (RFC 7644 §3.4.2.2 compValue = JSON string), plus \' tolerated: Entra
      // sends ids and names as they are, and they may contain quotes.
      const start = i;
      i++;
      let s = '';
      let closed = false;
      while (i < n) {
        const ch = input[i];
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        if (ch === '\\') {
          const e = input[i + 1];
          if (e === undefined) break;
          if (e === 'u') {
            const hex = input.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw fail(`Invalid \\u escape at position ${i + 1}`);
            s += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            continue;
          }
          const r = ESCAPES[e];
          if (r === undefined) throw fail(`Invalid escape "\\${e}" in string at position ${i + 1}`);
          s += r;
          i += 2;
          continue;
        }
        s += ch;
        i++;
      }
      if (!closed) throw fail(`Unterminated string starting at position ${start + 1}`);
      // A \uD800-style escape alone is no Unicode character: it cannot be compared or stored.
      if (hasLoneSurrogate(s)) throw fail(`The string starting at position ${start + 1} contains a lone UTF-16 surrogate`);
      out.push({ type: 'string', text: s, pos: start, end: i });
      continue;
    }
    const start = i;
    while (i < n && !SPACE.test(input[i]) && !PUNCT.has(input[i]) && input[i] !== '"') i++;
    out.push({ type: 'word', text: input.slice(start, i), pos: start, end: i });
  }
  return out;
}
