// Entra signing certificates as pinned keys: PEM, SHA-256 fingerprint and notAfter. node-saml uses
// a certificate only as a key and never looks at its dates, so expiry is tracked here.
import crypto from 'node:crypto';

export interface ParsedCert {
  pem: string;
  fingerprint: string;
  notAfter: Date;
  subject: string;
}

/** Accepts a PEM block or the bare base64 body found in metadata (<X509Certificate>). */
export function parseCert(input: string): ParsedCert {
  const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error('certificate is not base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  let x: crypto.X509Certificate;
  try {
    x = new crypto.X509Certificate(pem);
  } catch {
    throw new Error('certificate could not be read');
  }
  return { pem, fingerprint: x.fingerprint256, notAfter: new Date(x.validTo), subject: x.subject.replace(/\n/g, ', ') };
}

/** Entra mails admins 60, 30 and 7 days before expiry; the console warns from 30 days. */
export const EXPIRY_WARNING_DAYS = 30;

export function expiryState(notAfter: Date, now = new Date()): 'expired' | 'expiring' | 'valid' {
  const ms = notAfter.getTime() - now.getTime();
  if (ms <= 0) return 'expired';
  return ms <= EXPIRY_WARNING_DAYS * 86400_000 ? 'expiring' : 'valid';
}
