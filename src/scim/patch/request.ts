// PatchOp request body → validated operation list (RFC 7644 §3.5.2).
// Decisions: a missing `schemas` member is tolerated (Postel; Entra always sends it), but a
// `schemas` that names something other than PatchOp is 400 invalidSyntax. `Operations` must be a
// non-empty array (fixture I10 → invalidSyntax). `op` is case-insensitive (Entra sends `Add`/`Replace`/`Remove` in
// its default dialect and lower case with its flag, fixtures F01, H16); anything but
// add/replace/remove is 400 invalidSyntax (fixture I09). Paths are parsed up front so a bad path
// fails the whole request before anything is applied. Member names are matched case-insensitively.
import { InvalidSyntaxError, InvalidValueError, NoTargetError } from '../errors.ts';
import { findKey, normalizeOpName, type PatchOpName } from '../normalize.ts';
import { isPlainObject } from '../resources/values.ts';
import { PATCH_URN } from '../resources/urns.ts';
import { parsePath, type PatchPath } from './path.ts';

export type PatchOp = { op: PatchOpName; path?: PatchPath; rawPath?: string; value?: unknown; hasValue: boolean };

export const MAX_OPERATIONS = 1000;

function member(o: Record<string, unknown>, name: string): unknown {
  const k = findKey(o, name);
  return k === undefined ? undefined : o[k];
}

export function parsePatchRequest(body: unknown): PatchOp[] {
  if (!isPlainObject(body)) throw new InvalidSyntaxError('A PatchOp request must be a JSON object');
  const schemas = member(body, 'schemas');
  if (schemas !== undefined) {
    const list = Array.isArray(schemas) ? schemas : [schemas];
    if (!list.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_URN.toLowerCase())) {
      throw new InvalidSyntaxError(`"schemas" must contain "${PATCH_URN}"`);
    }
  }
  const ops = member(body, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0) throw new InvalidSyntaxError('"Operations" must be a non-empty array');
  if (ops.length > MAX_OPERATIONS) throw new InvalidSyntaxError(`At most ${MAX_OPERATIONS} operations per request`);
  return ops.map((raw, i) => {
    const n = i + 1;
    if (!isPlainObject(raw)) throw new InvalidSyntaxError(`Operation ${n} must be an object`);
    const opRaw = member(raw, 'op');
    const op = normalizeOpName(opRaw);
    if (!op) throw new InvalidSyntaxError(`Operation ${n}: "op" must be "add", "replace" or "remove" (got ${JSON.stringify(opRaw ?? null).slice(0, 40)})`);
    const pathRaw = member(raw, 'path');
    const vk = findKey(raw, 'value');
    const value = vk === undefined ? undefined : raw[vk];
    const out: PatchOp = { op, value, hasValue: vk !== undefined };
    if (pathRaw !== undefined && pathRaw !== null && pathRaw !== '') {
      if (typeof pathRaw !== 'string') throw new InvalidSyntaxError(`Operation ${n}: "path" must be a string`);
      out.path = parsePath(pathRaw);
      out.rawPath = pathRaw;
    } else {
      // RFC 7644 §3.5.2.2: remove without a path is noTarget; path-less add/replace carry an
      // object of attributes (whose keys may themselves be paths, Entra's flag dialect, fixture F11).
      if (op === 'remove') throw new NoTargetError(`Operation ${n}: "remove" needs a "path"`);
      if (!isPlainObject(value)) throw new InvalidValueError(`Operation ${n}: "${op}" without a "path" needs an object "value"`);
    }
    if (op === 'add' && !out.hasValue) throw new InvalidValueError(`Operation ${n}: "add" needs a "value"`);
    return out;
  });
}
