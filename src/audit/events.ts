// Names of the admin and security events kept in the audit log, with the words the Activity page
// shows. One list, so the log line, the stored row and the filter agree.
export const AUDIT_EVENTS = {
  'signin.success': 'Signed in',
  'signin.failure': 'Sign-in failed',
  'signin.locked': 'Sign-in paused after repeated failures',
  'password.changed': 'Password changed',
  'password.change_failed': 'Password change refused',
  'manager.added': 'Manager added',
  'manager.removed': 'Manager removed',
  'manager.role_changed': 'Manager role changed',
  'manager.disabled': 'Manager disabled',
  'manager.enabled': 'Manager enabled',
  'api_client.created': 'API client created',
  'api_client.deleted': 'API client deleted',
  'api_client.secret_added': 'API client secret added',
  'api_client.secret_revoked': 'API client secret revoked',
  'secret_token.created': 'Secret token created',
  'secret_token.revoked': 'Secret token revoked',
  'connection.disconnected': 'Connection disconnected',
  'tenant.enabled': 'Tenant enabled',
  'tenant.disabled': 'Tenant disabled',
  'sso.signin': 'Signed in with single sign-on',
  'sso.refused': 'Single sign-on refused',
  'sso.logout': 'Signed out of single sign-on',
  'sso.test': 'Single sign-on test sign-in',
  'sso.configured': 'Single sign-on configured',
  'sso.settings_changed': 'Single sign-on settings changed',
  'sso.disabled': 'Single sign-on turned off',
  'sso.user_signed_out': 'User signed out everywhere',
  'sso.app_created': 'SecureLogin application registered',
} as const;

/** Audit rows are kept about 13 months, so a yearly access review can see the whole year. */
export const AUDIT_RETENTION_DAYS = 400;

export type AuditEventName = keyof typeof AUDIT_EVENTS;

export function auditLabel(event: string): string {
  return (AUDIT_EVENTS as Record<string, string>)[event] ?? event;
}
