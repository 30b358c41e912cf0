// Domain errors of tenants and managers: one class, a stable code for callers (CLI exit line,
// console messages) and a message a person can read.
export type AccountErrorCode =
  | 'invalid_domain'
  | 'duplicate_domain'
  | 'unknown_tenant'
  | 'invalid_username'
  | 'duplicate_username'
  | 'unknown_manager'
  | 'invalid_role'
  | 'weak_password'
  | 'wrong_password'
  | 'last_admin'
  | 'invalid_name'
  | 'limit_reached'
  | 'unknown_client';

export class AccountError extends Error {
  readonly code: AccountErrorCode;
  constructor(code: AccountErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'AccountError';
  }
}
