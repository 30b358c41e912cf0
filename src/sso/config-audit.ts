// The words of an SSO settings change for the audit log: only what changed, old → new, so a
// reviewer sees that enforcement was switched on without diffing rows.
import type { SsoConfigRow } from './config-store.ts';

type Settings = Pick<SsoConfigRow, 'matchAttribute' | 'enforce' | 'allowIdpInitiated'> & { allowExpiredCerts?: boolean };

const onOff = (v: boolean) => (v ? 'on' : 'off');

/** Turning SSO off forgets its settings, the enforcement switch among them: say so when it was on. */
export function offDetail(wasRequired: boolean): string {
  return `single sign-on configuration removed${wasRequired ? '; single sign-on no longer required for managers' : ''}`;
}

export function describeSettingsChange(before: Settings, after: Settings): string | null {
  const parts: string[] = [];
  if (before.matchAttribute !== after.matchAttribute) parts.push(`match on ${before.matchAttribute} → ${after.matchAttribute}`);
  if (before.enforce !== after.enforce) parts.push(`single sign-on ${before.enforce ? 'required' : 'optional'} → ${after.enforce ? 'required' : 'optional'}`);
  if (before.allowIdpInitiated !== after.allowIdpInitiated) parts.push(`IdP-initiated sign-in ${onOff(before.allowIdpInitiated)} → ${onOff(after.allowIdpInitiated)}`);
  if (after.allowExpiredCerts !== undefined && !!before.allowExpiredCerts !== after.allowExpiredCerts) {
    parts.push(`expired signing certificates ${after.allowExpiredCerts ? 'accepted' : 'refused'}`);
  }
  return parts.length ? parts.join('; ') : null;
}
