// SCIM errors (RFC 7644 §3.12): one class per scimType, rendered once at the edge by the SCIM
// plugin's error handler as {"schemas":[Error URN],"status":"<string>","scimType"?,"detail"}.
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }
  toJSON() {
    return {
      schemas: [ERROR_URN],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

/** The specified filter syntax was invalid or the attribute/operator combination is not supported. */
export class InvalidFilterError extends ScimError {
  constructor(detail: string) { super(400, detail, 'invalidFilter'); }
}
/** The filter yields more results than the server is willing to process. */
export class TooManyError extends ScimError {
  constructor(detail: string) { super(400, detail, 'tooMany'); }
}
/** One or more attribute values are already in use or reserved. */
export class UniquenessError extends ScimError {
  constructor(detail: string) { super(409, detail, 'uniqueness'); }
}
/** The attempted modification is not compatible with the target attribute's mutability. */
export class MutabilityError extends ScimError {
  constructor(detail: string) { super(400, detail, 'mutability'); }
}
/** The request body structure was invalid or did not conform to the request schema. */
export class InvalidSyntaxError extends ScimError {
  constructor(detail: string) { super(400, detail, 'invalidSyntax'); }
}
/** The "path" attribute was invalid or malformed. */
export class InvalidPathError extends ScimError {
  constructor(detail: string) { super(400, detail, 'invalidPath'); }
}
/** The specified "path" did not yield an attribute or attribute value that could be operated on. */
export class NoTargetError extends ScimError {
  constructor(detail: string) { super(400, detail, 'noTarget'); }
}
/** A required value was missing, or the value specified was not compatible with the operation. */
export class InvalidValueError extends ScimError {
  constructor(detail: string) { super(400, detail, 'invalidValue'); }
}
/** The specified SCIM protocol version is not supported. */
export class InvalidVersError extends ScimError {
  constructor(detail: string) { super(400, detail, 'invalidVers'); }
}
/** The request cannot be completed because of sensitive information in the request URI. */
export class SensitiveError extends ScimError {
  constructor(detail: string) { super(403, detail, 'sensitive'); }
}
export class NotFoundError extends ScimError {
  constructor(detail: string) { super(404, detail); }
}
export class UnauthorizedError extends ScimError {
  constructor(detail: string, error = 'invalid_token') {
    super(401, detail, undefined, { 'www-authenticate': `Bearer realm="scim", error="${error}", error_description="${detail.replace(/"/g, "'")}"` });
  }
}
export class PreconditionFailedError extends ScimError {
  constructor(detail: string) { super(412, detail); }
}
export class PayloadTooLargeError extends ScimError {
  constructor(detail: string) { super(413, detail); }
}
export class ConflictError extends ScimError {
  constructor(detail: string) { super(409, detail); }
}
