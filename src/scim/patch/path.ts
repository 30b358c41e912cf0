// PATCH path → PatchPath (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]), reusing the
// filter tokenizer and parser so `members[value eq "a\"b"]` is read exactly like a filter (Entra's
// member removal by value filter, fixture H16; ids may hold `"` or `'`).
// Forms: attr, attr.sub, urn:…:attr, urn:…:attr.sub, attr[filter], attr[filter].sub, and a bare
// extension URN (`urn:…:enterprise:2.0:User`) which targets the whole extension object (attr absent).
import type { FilterNode } from '../filter/ast.ts';
import { tokenize, type ErrorFactory } from '../filter/lexer.ts';
import { clip, isAttrName, parseAttrPath } from '../filter/attr-path.ts';
import { parseValueFilterTokens, MAX_FILTER_LENGTH } from '../filter/parse.ts';
import { InvalidPathError } from '../errors.ts';
import { ATTRIBUTE_URNS } from '../resources/urns.ts';

export type PatchPath = { uri?: string; attr?: string; sub?: string; filter?: FilterNode };

const pathError: ErrorFactory = (d) => new InvalidPathError(d);

export function parsePath(input: string): PatchPath {
  if (typeof input !== 'string') throw pathError('"path" must be a string');
  const text = input.trim();
  if (text === '') throw pathError('"path" is empty');
  if (text.length > MAX_FILTER_LENGTH) throw pathError(`"path" is longer than ${MAX_FILTER_LENGTH} characters`);
  const urn = ATTRIBUTE_URNS.find((u) => u.toLowerCase() === text.toLowerCase());
  if (urn) return { uri: urn };

  const tokens = tokenize(text, pathError);
  const first = tokens[0];
  if (first.type !== 'word') throw pathError(`"${clip(text)}" is not a valid path: it must start with an attribute name`);
  const base = parseAttrPath(first.text, pathError);
  if (tokens.length === 1) return base;

  if (tokens[1].type !== '[') throw pathError(`"${clip(text)}" is not a valid path: unexpected "${clip(tokens[1].text, 20)}"`);
  if (base.sub !== undefined) throw pathError(`"${clip(text)}" is not a valid path: a value filter must follow the multi-valued attribute, not a sub-attribute`);
  const close = tokens.findIndex((t, k) => k > 1 && (t.type === ']' || t.type === '['));
  if (close < 0 || tokens[close].type === '[') throw pathError(`"${clip(text)}" is not a valid path: ${close < 0 ? 'missing "]"' : 'value filters cannot be nested'}`);
  if (close === 2) throw pathError(`"${clip(text)}" is not a valid path: empty value filter`);
  const filter = parseValueFilterTokens(tokens.slice(2, close), pathError);
  const rest = tokens.slice(close + 1);
  if (rest.length === 0) return { ...base, filter };
  const subTok = rest[0];
  if (rest.length > 1 || subTok.type !== 'word' || !subTok.text.startsWith('.') || !isAttrName(subTok.text.slice(1))) {
    throw pathError(`"${clip(text)}" is not a valid path: only ".subAttribute" may follow "]"`);
  }
  return { ...base, filter, sub: subTok.text.slice(1) };
}
