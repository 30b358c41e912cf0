// The ACS checks, in order. node-saml 5.1.0 verifies the signature with the pinned certificates
// only (never KeyInfo), reads the identity from the signed bytes, refuses several assertions and
// checks Conditions and Audience. It does NOT check Recipient, Destination or Issuer, keeps no
// replay cache, takes InResponseTo from the unsigned Response, enforces SubjectConfirmationData
// NotOnOrAfter only with its own InResponseTo tracking, accepts SHA-1 and an unused DOCTYPE: all
// of that is done here, from the signed assertion (profile.getAssertionXml()).
import { SAML, SamlStatusError, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import type { Db } from '../db/client.ts';
import { UniqueViolation } from '../db/errors.ts';
import { recordAssertionUse } from '../db/sso-assertion-uses.ts';
import type { SsoConfigRow, StoredCert } from './config-store.ts';
import type { UpstreamIdentity } from './match.ts';
import { Refusal } from './refusals.ts';
import { consumeRequest } from './saml-request.ts';
import type { SpUrls } from './urls.ts';
import { NS, child, children, descendants, hasDoctype, parseStrict, text } from './xml.ts';

/** SAML clock skew: at most 3 minutes either side. */
export const CLOCK_SKEW_MS = 3 * 60_000;
/** Entra's window is 60-70 minutes; a captured response is useful for 10 at most. */
export const MAX_ASSERTION_AGE_MS = 10 * 60_000;
/** Entra's responses are a few KB (more with a groups claim); anything far bigger is refused. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

const CLAIM = {
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  amr: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
} as const;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SHA1 = /#(rsa-sha1|sha1|dsa-sha1|hmac-sha1)$/i;

export interface VerifiedSaml {
  identity: UpstreamIdentity;
  assertionId: string;
  solicited: boolean;
  returnTo: string | null;
  displayName: string | null;
}

function samlFor(cfg: SsoConfigRow, certs: StoredCert[], urls: SpUrls): SAML {
  return new SAML({
    issuer: urls.entity_id,
    audience: urls.entity_id,
    callbackUrl: urls.acs_url,
    entryPoint: cfg.idpSsoUrl ?? undefined,
    idpCert: certs.map((c) => c.pem),
    // Entra signs the assertion by default ("Sign SAML assertion"); a signed assertion is always
    // required, a signed Response is optional.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // InResponseTo is decided from the SIGNED SubjectConfirmationData below, against the database.
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  });
}

function libraryRefusal(err: unknown): Refusal {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof SamlStatusError) return new Refusal('idp_error', msg.slice(0, 300));
  if (/signature/i.test(msg)) return new Refusal('bad_signature', msg);
  if (/not yet valid/.test(msg)) return new Refusal('not_yet_valid', msg);
  if (/expired/.test(msg)) return new Refusal('expired', msg);
  if (/audience/i.test(msg)) return new Refusal('wrong_audience', msg.slice(0, 300));
  return new Refusal('malformed', msg.slice(0, 300));
}

function attributeValues(assertion: Element, name: string): string[] {
  const out: string[] = [];
  for (const stmt of children(assertion, NS.saml, 'AttributeStatement')) {
    for (const a of children(stmt, NS.saml, 'Attribute')) {
      if (a.getAttribute('Name') !== name) continue;
      for (const v of children(a, NS.saml, 'AttributeValue')) out.push(text(v) ?? '');
    }
  }
  return out;
}

function time(el: Element | null, attr: string): number | null {
  const v = el?.getAttribute(attr);
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

export async function verifySamlResponse(
  db: Db,
  input: { tenantId: string; cfg: SsoConfigRow; certs: StoredCert[]; urls: SpUrls; samlResponse: string },
): Promise<VerifiedSaml> {
  const { cfg, urls } = input;
  if (input.samlResponse.length > MAX_RESPONSE_BYTES * 1.4) throw new Refusal('too_large');
  const xml = Buffer.from(input.samlResponse, 'base64').toString('utf8');
  if (!xml.trim()) throw new Refusal('malformed', 'empty SAMLResponse');
  if (hasDoctype(xml)) throw new Refusal('malformed', 'DOCTYPE in response');
  let doc;
  try {
    doc = parseStrict(xml);
  } catch (err) {
    throw new Refusal('malformed', (err as Error).message);
  }
  const response = doc.documentElement!;
  if (response.namespaceURI !== NS.samlp || response.localName !== 'Response') throw new Refusal('malformed', 'not a SAML Response');
  if (!cfg.allowSha1) {
    for (const m of [...descendants(doc, NS.ds, 'SignatureMethod'), ...descendants(doc, NS.ds, 'DigestMethod')]) {
      if (SHA1.test(m.getAttribute('Algorithm') ?? '')) throw new Refusal('weak_algorithm', m.getAttribute('Algorithm'));
    }
  }
  if (input.certs.length === 0) throw new Refusal('sso_not_configured', 'no signing certificate');

  // node-saml uses a certificate only as a key and never looks at its dates. Entra asks service
  // providers to check expiry (an expired certificate may have leaked); a tenant may opt in to
  // accept it anyway, e.g. while Entra has not rolled over yet.
  const validAt = Date.now();
  const current = cfg.allowExpiredCerts ? input.certs : input.certs.filter((c) => c.notAfter.getTime() > validAt);
  const expired = input.certs.filter((c) => !current.includes(c));
  let profile: Profile | null;
  try {
    if (current.length === 0) throw new Error('Invalid signature: every signing certificate has expired');
    ({ profile } = await samlFor(cfg, current, urls).validatePostResponseAsync({ SAMLResponse: input.samlResponse }));
  } catch (err) {
    const refusal = libraryRefusal(err);
    // Say so when only an expired certificate would have verified it: the admin's fix differs.
    if (refusal.code === 'bad_signature' && expired.length > 0) {
      const byExpired = await samlFor(cfg, expired, urls).validatePostResponseAsync({ SAMLResponse: input.samlResponse }).then(() => true, () => false);
      if (byExpired) throw new Refusal('certificate_expired', `signed by ${expired.map((c) => `${c.fingerprint.slice(0, 23)}… expired ${c.notAfter.toISOString().slice(0, 10)}`).join(', ')}`);
    }
    throw refusal;
  }
  if (!profile?.getAssertionXml) throw new Refusal('malformed', 'no assertion');

  // Everything below is read from the signed assertion only.
  const assertion = parseStrict(profile.getAssertionXml()).documentElement!;
  const now = Date.now();
  const issuer = text(child(assertion, NS.saml, 'Issuer'));
  if (!cfg.idpEntityId || issuer !== cfg.idpEntityId) throw new Refusal('wrong_issuer', `issuer ${issuer}`);
  const responseIssuer = text(child(response, NS.saml, 'Issuer'));
  if (responseIssuer !== null && responseIssuer !== cfg.idpEntityId) throw new Refusal('wrong_issuer', `response issuer ${responseIssuer}`);

  const subject = child(assertion, NS.saml, 'Subject');
  const confirmations = subject ? children(subject, NS.saml, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER) : [];
  if (confirmations.length !== 1) throw new Refusal('malformed', `${confirmations.length} bearer SubjectConfirmations`);
  const scd = child(confirmations[0], NS.saml, 'SubjectConfirmationData');
  if (!scd || scd.getAttribute('Recipient') !== urls.acs_url) throw new Refusal('wrong_recipient', `recipient ${scd?.getAttribute('Recipient')}`);
  const scdEnd = time(scd, 'NotOnOrAfter');
  if (scdEnd === null || scdEnd + CLOCK_SKEW_MS <= now) throw new Refusal('expired', 'SubjectConfirmationData NotOnOrAfter');
  const destination = response.getAttribute('Destination');
  if (destination && destination !== urls.acs_url) throw new Refusal('wrong_destination', `destination ${destination}`);

  const tid = attributeValues(assertion, CLAIM.tenantId)[0] ?? null;
  if (cfg.entraTenantId && tid?.toLowerCase() !== cfg.entraTenantId.toLowerCase()) throw new Refusal('wrong_tenant', `tenantid ${tid}`);

  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new Refusal('malformed', 'assertion without ID');
  const issueInstant = time(assertion, 'IssueInstant') ?? now;
  const conditionsEnd = time(child(assertion, NS.saml, 'Conditions'), 'NotOnOrAfter') ?? scdEnd;
  const keepUntil = Math.min(conditionsEnd, scdEnd, issueInstant + MAX_ASSERTION_AGE_MS) + CLOCK_SKEW_MS;
  try {
    await recordAssertionUse(db, input.tenantId, { issuer, assertionId, expiresAt: new Date(keepUntil) });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new Refusal('replay', `assertion ${assertionId}`);
    throw err;
  }

  // Solicited exactly when the SIGNED SubjectConfirmationData names a request; an unsigned
  // Response/@InResponseTo on an unsolicited assertion is an attacker re-wrapping it.
  const signedInResponseTo = scd.getAttribute('InResponseTo') || null;
  const outerInResponseTo = response.getAttribute('InResponseTo') || null;
  let returnTo: string | null = null;
  if (signedInResponseTo) {
    if (outerInResponseTo && outerInResponseTo !== signedInResponseTo) throw new Refusal('unknown_request', 'InResponseTo differs between Response and assertion');
    const req = await consumeRequest(db, signedInResponseTo, input.tenantId, 'saml');
    if (!req) throw new Refusal('unknown_request', `InResponseTo ${signedInResponseTo}`);
    returnTo = req.returnTo;
  } else {
    if (outerInResponseTo) throw new Refusal('unknown_request', 'unsolicited assertion inside a response to a request');
    if (!cfg.allowIdpInitiated) throw new Refusal('idp_initiated_disabled');
  }

  const nameId = profile.nameID ?? null;
  const amr = attributeValues(assertion, CLAIM.amr);
  const authn = child(assertion, NS.saml, 'AuthnStatement');
  return {
    assertionId,
    solicited: signedInResponseTo !== null,
    returnTo,
    displayName: attributeValues(assertion, CLAIM.displayName)[0] ?? null,
    identity: {
      protocol: 'saml',
      subject: nameId ?? '',
      userName: nameId,
      objectId: attributeValues(assertion, CLAIM.objectId)[0] ?? null,
      email: attributeValues(assertion, CLAIM.email)[0] ?? null,
      emailVerified: false,
      amr,
      logout: { nameId, sessionIndex: authn?.getAttribute('SessionIndex') || null },
    },
  };
}
