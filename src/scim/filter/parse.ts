// SCIM filter string → AST (RFC 7644 §3.4.2.2), pure. Recursive descent over the ABNF with its
// precedence: not (tightest, requires parentheses) > and > or; parentheses group; attribute names,
// operators and true/false/null are case-insensitive.
//
// Chosen tolerances:
// - Legacy unquoted values (`externalId eq jyoung`, Entra's 2016 docs; fixture I08) are accepted as strings when the bare word is not a number/true/false/null and not
//   a keyword (and/or/not). A bare word starting with a single quote is rejected: SCIM has no
//   single-quoted strings and silently searching for `'abc'` would hide the client's mistake.
// - `attr[filter].sub op value` (Entra's value-path matching attribute, e.g.
//   `emails[type eq "work"].value eq "x"`) is accepted and
//   represented as a valuePath whose filter is `filter and (sub op value)` (see ast.ts).
// - Limits: input ≤ MAX_FILTER_LENGTH characters, nesting ≤ MAX_DEPTH, ≤ MAX_TERMS comparisons;
//   beyond that invalidFilter, never a stack overflow.
import type { AttrPath, CompareValue, FilterNode } from './ast.ts';
import { isCompareOp } from './ast.ts';
import { tokenize, filterError, type ErrorFactory, type Token } from './lexer.ts';
import { clip, isAttrName, parseAttrPath } from './attr-path.ts';

export const MAX_FILTER_LENGTH = 8192;
export const MAX_DEPTH = 32;
export const MAX_TERMS = 256;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const KEYWORDS = new Set(['and', 'or', 'not']);

export function parseFilter(input: string): FilterNode {
  if (typeof input !== 'string') throw filterError('The filter must be a string');
  if (input.length > MAX_FILTER_LENGTH) throw filterError(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (input.trim() === '') throw filterError('The filter is empty');
  const p = new Parser(tokenize(input, filterError), filterError);
  const node = p.parseOr();
  p.expectEnd();
  return node;
}

/** Parses the inside of `attr[...]` for a PATCH path (no nested value paths), with the caller's
 * error type (invalidPath for PATCH). */
export function parseValueFilterTokens(tokens: Token[], fail: ErrorFactory): FilterNode {
  const p = new Parser(tokens, fail, true);
  const node = p.parseOr();
  p.expectEnd();
  return node;
}

export class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  private readonly tokens: Token[];
  private readonly fail: ErrorFactory;
  private inValuePath: boolean;

  constructor(tokens: Token[], fail: ErrorFactory, inValuePath = false) {
    this.tokens = tokens;
    this.fail = fail;
    this.inValuePath = inValuePath;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private where(t: Token | undefined): string {
    return t ? `at position ${t.pos + 1} ("${clip(t.text, 30)}")` : 'at the end of the filter';
  }

  private isWord(t: Token | undefined, w: string): boolean {
    return t?.type === 'word' && t.text.toLowerCase() === w;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(`The filter is nested more than ${MAX_DEPTH} levels deep`);
  }

  private expect(type: ')' | ']'): void {
    const t = this.peek();
    if (t?.type !== type) throw this.fail(`Expected "${type}" ${this.where(t)}`);
    this.i++;
    this.depth--;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t) throw this.fail(`Unexpected ${t.type === 'string' ? 'string' : `"${clip(t.text, 30)}"`} at position ${t.pos + 1}: expected "and", "or" or the end of the filter`);
  }

  parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.i++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isWord(this.peek(), 'and')) {
      this.i++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const t = this.peek();
    if (!t) throw this.fail('Expected an expression at the end of the filter');
    if (t.type === '(') {
      this.i++;
      this.enter();
      const node = this.parseOr();
      this.expect(')');
      return node;
    }
    if (this.isWord(t, 'not')) {
      // RFC ABNF: "not" "(" valFilter ")" — the parentheses are required.
      if (this.peek(1)?.type !== '(') throw this.fail(`"not" must be followed by "(" ${this.where(this.peek(1))}`);
      this.i += 2;
      this.enter();
      const expr = this.parseOr();
      this.expect(')');
      return { kind: 'not', expr };
    }
    if (t.type !== 'word') throw this.fail(`Expected an attribute name ${this.where(t)}`);
    if (KEYWORDS.has(t.text.toLowerCase())) throw this.fail(`Expected an attribute name ${this.where(t)}`);
    this.i++;
    const path = parseAttrPath(t.text, this.fail);
    if (this.peek()?.type === '[') return this.parseValuePath(path, t);
    return this.parseAttrExpr(path);
  }

  private parseValuePath(path: AttrPath, at: Token): FilterNode {
    if (this.inValuePath) throw this.fail(`Value paths cannot be nested ${this.where(this.peek())}`);
    if (path.sub !== undefined) throw this.fail(`"${clip(at.text)}" cannot be followed by "[": a value path filters a multi-valued attribute, not a sub-attribute`);
    this.i++;
    this.enter();
    this.inValuePath = true;
    const inner = this.parseOr();
    this.expect(']');
    this.inValuePath = false;
    const next = this.peek();
    if (next?.type === 'word' && next.text.startsWith('.')) {
      // Entra: emails[type eq "work"].value eq "x" (see ast.ts for the representation).
      const sub = next.text.slice(1);
      if (!isAttrName(sub)) throw this.fail(`Invalid sub-attribute "${clip(next.text)}" at position ${next.pos + 1}`);
      this.i++;
      const cmp = this.parseAttrExpr({ attr: sub });
      return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: cmp } };
    }
    return { kind: 'valuePath', path, filter: inner };
  }

  private parseAttrExpr(path: AttrPath): FilterNode {
    const opTok = this.peek();
    if (!opTok) throw this.fail('Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) at the end of the filter');
    if (opTok.type !== 'word') throw this.fail(`Expected an operator ${this.where(opTok)}`);
    const op = opTok.text.toLowerCase();
    this.i++;
    if (++this.terms > MAX_TERMS) throw this.fail(`The filter has more than ${MAX_TERMS} comparisons`);
    if (op === 'pr') return { kind: 'present', path };
    if (!isCompareOp(op)) throw this.fail(`Unknown operator "${clip(opTok.text, 20)}" at position ${opTok.pos + 1}: expected eq, ne, co, sw, ew, gt, ge, lt, le or pr`);
    return { kind: 'compare', path, op, value: this.parseValue() };
  }

  private parseValue(): CompareValue {
    const t = this.peek();
    if (!t) throw this.fail('Expected a value at the end of the filter');
    if (t.type === 'string') {
      this.i++;
      return t.text;
    }
    if (t.type !== 'word') throw this.fail(`Expected a value ${this.where(t)}`);
    const w = t.text;
    const lw = w.toLowerCase();
    if (lw === 'true') return this.took(true);
    if (lw === 'false') return this.took(false);
    if (lw === 'null') return this.took(null);
    if (NUMBER.test(w)) return this.took(Number(w));
    if (KEYWORDS.has(lw)) throw this.fail(`Expected a value ${this.where(t)}`);
    if (w.startsWith("'")) throw this.fail(`String values must be in double quotes ${this.where(t)}`);
    // Legacy unquoted value (fixture I08): a bare word is a string.
    return this.took(w);
  }

  private took<T extends CompareValue>(v: T): T {
    this.i++;
    return v;
  }
}
