// A connection's health from its hourly request counters. Entra puts a provisioning job in
// quarantine when most of its requests fail over a period (first a warning, then it slows the job
// and eventually stops it), so a connection whose latest requests mostly fail is at risk even if
// its day looks fine; an Authorize or secret-token connection that has sent nothing for a day has
// probably been stopped or lost its credential on the Entra side.
export type Health = { level: 'ok' | 'idle' | 'waiting' | 'risk'; label: string; reason: string };

export interface Bucket {
  hour: Date;
  requests: number;
  failures: number;
}

const RISK_RATIO = 0.5;

export function connectionHealth(buckets: Bucket[], lastScimAt: Date | null): Health {
  if (!lastScimAt && buckets.every((b) => b.requests === 0)) {
    return { level: 'waiting', label: 'Waiting for Entra', reason: 'No SCIM request yet: run Test Connection, then start provisioning in Entra.' };
  }
  const withTraffic = buckets.filter((b) => b.requests > 0).sort((a, b) => b.hour.getTime() - a.hour.getTime());
  if (withTraffic.length === 0) {
    return { level: 'idle', label: 'Idle', reason: 'No SCIM request in the last 24 hours: check that provisioning is running in Entra.' };
  }
  const latest = withTraffic[0];
  if (latest.failures / latest.requests >= RISK_RATIO) {
    return {
      level: 'risk',
      label: 'Quarantine risk',
      reason: `${latest.failures} of ${latest.requests} requests failed in the latest hour with traffic: Entra quarantines a job whose requests keep failing. See Activity for the errors.`,
    };
  }
  const failures = withTraffic.reduce((a, b) => a + b.failures, 0);
  const requests = withTraffic.reduce((a, b) => a + b.requests, 0);
  return { level: 'ok', label: 'Healthy', reason: failures ? `${failures} of ${requests} requests failed in 24 hours.` : 'Every request in the last 24 hours succeeded.' };
}
