// SCIM media type handling (RFC 7644 §3.1, §8.1). Entra sends `application/scim+json; charset=utf-8`
// or `application/json`, and its GETs may carry neither Accept nor User-Agent: both media types are
// parsed, neither is ever answered 406/415, and every answer is application/scim+json.
import { InvalidSyntaxError, ScimError } from './errors.ts';
import { parseGuardedJson } from './json-guard.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** JSON body text → value. Malformed JSON is the client's fault: 400 invalidSyntax, never 5xx;
 * depth, lone surrogates and "__proto__" keys are refused too (json-guard.ts). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  return parseGuardedJson(text);
}

export class UnsupportedMediaTypeError extends ScimError {
  constructor(type: string) {
    super(415, `Unsupported media type "${type}": send application/scim+json or application/json`);
  }
}

export class MethodNotAllowedError extends ScimError {
  constructor(method: string, allow: string[]) {
    super(405, `${method} is not allowed on this endpoint`, undefined, { allow: allow.join(', ') });
  }
}

/** A JSON object body or 400: every SCIM request body is an object. */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidSyntaxError(`${what}: the request body must be a JSON object`);
  }
  return body as Record<string, unknown>;
}
