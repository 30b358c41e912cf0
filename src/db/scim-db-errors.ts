// Former home of the retry helpers, now in retry.ts; re-exported here only for imports not yet
// moved. Database errors reach the SCIM services as the neutral errors of errors.ts, which
// scim/db-errors.ts words for SCIM.
export { RetryTransaction, isRetryable, withRetry } from './retry.ts';
