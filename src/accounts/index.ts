// Tenants and managers for the CLI, the sign-in pages and the console.
export { AccountError, type AccountErrorCode } from './errors.ts';
export { passwordProblem, PASSWORD_RULE, MIN_PASSWORD_LENGTH } from './password-policy.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { LoginThrottle, describeWait } from './throttle.ts';
export {
  verifyManagerPassword,
  createManagerWithPassword,
  setPassword,
  changePassword,
  listManagers,
  removeManager,
  setManagerEnabled,
  setManagerRole,
  findManagerById,
  findManagerByUsername,
  type AccountDeps,
  type VerifyResult,
  type Manager,
  type Role,
} from './managers.ts';
export { createTenant, findTenantByDomain, findTenantById, listTenants, isValidDomain, type Tenant } from '../db/tenants.ts';
export { setTenantEnabled, deleteApiClient, revokeSecretToken } from './revocations.ts';
export { createChanges, type Changes, type ChangeEvents } from './events.ts';
