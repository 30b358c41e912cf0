// A local SAML IdP that behaves like Microsoft Entra ID: Entra's element order, issuer
// https://sts.windows.net/{tid}/ on Response and Assertion, NameID = UPN in emailAddress format,
// bearer SubjectConfirmationData, Conditions backdated 5 minutes and valid 60, the default claim
// URIs in the order captured from real responses, assertion signed with RSA-SHA256 / exclusive
// C14N and the certificate in KeyInfo. Knobs build every broken variant the ACS must refuse.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { SignedXml } from 'xml-crypto';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sso');
export const keyPair = (name: string) => ({ key: fs.readFileSync(path.join(FIXTURES, `${name}.key`), 'utf8'), cert: fs.readFileSync(path.join(FIXTURES, `${name}.crt`), 'utf8') });
const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export interface EntraUser {
  upn: string;
  oid: string;
  email?: string;
  displayName?: string;
}

export interface ResponseOptions {
  user: EntraUser;
  acsUrl: string;
  audience: string;
  inResponseTo?: string;
  /** Response/@InResponseTo only (unsigned when only the assertion is signed). */
  outerInResponseTo?: string | null;
  recipient?: string;
  destination?: string;
  issuer?: string;
  tenantIdClaim?: string;
  sign?: 'assertion' | 'response' | 'both' | 'none';
  signer?: { key: string; cert: string };
  sha1?: boolean;
  /** Shift of IssueInstant/Conditions/SCD relative to now, in ms. */
  shiftMs?: number;
  scdLifetimeMs?: number;
  assertionId?: string;
  /** Edits the signed XML before it is base64-encoded (wrapping, tampering, comments). */
  mutate?: (xml: string) => string;
  status?: { code: string; sub?: string; message?: string };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const guidId = () => `_${crypto.randomUUID()}`;

function sign(xml: string, id: string, issuerXPath: string, signer: { key: string; cert: string }, sha1: boolean): string {
  const sig = new SignedXml({ privateKey: signer.key, publicCert: signer.cert, signatureAlgorithm: sha1 ? RSA_SHA1 : RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
  sig.addReference({ xpath: `//*[@ID='${id}']`, digestAlgorithm: sha1 ? SHA1 : SHA256, transforms: [ENVELOPED, EXC_C14N] });
  // The signature must follow the Issuer to be schema-valid, as Entra places it.
  sig.computeSignature(xml, { location: { reference: issuerXPath, action: 'after' } });
  return sig.getSignedXml();
}

export class FakeEntraSaml {
  readonly tid: string;
  readonly issuer: string;
  signer: { key: string; cert: string };
  /** Who "signs in" at the fake's login endpoint (SP-initiated). */
  nextUser: EntraUser | null = null;
  /** Extra options for the response the login endpoint sends. */
  nextOptions: Partial<ResponseOptions> = {};
  lastAuthnRequest: string | null = null;
  lastLogoutRequest: string | null = null;
  /** Status of the next LogoutResponse (Entra answers Success when the session ended). */
  logoutStatus = 'Success';
  server: http.Server | null = null;
  url = '';

  constructor(tid: string, keyName = 'idp-a') {
    this.tid = tid;
    this.issuer = `https://sts.windows.net/${tid}/`;
    this.signer = keyPair(keyName);
  }

  metadataXml(certs: string[] = [this.signer.cert]): string {
    const kd = certs.map((c) => `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${certBody(c)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`).join('');
    const base = this.url || 'https://login.microsoftonline.com';
    return `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_${crypto.randomUUID()}" entityID="${this.issuer}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
      `<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${kd}</RoleDescriptor>` +
      `<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd}` +
      `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/${this.tid}/saml2"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/${this.tid}/saml2"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/${this.tid}/saml2"/>` +
      `</IDPSSODescriptor></EntityDescriptor>`;
  }

  responseXml(o: ResponseOptions): string {
    const now = Date.now() + (o.shiftMs ?? 0);
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const responseId = guidId();
    const assertionId = o.assertionId ?? guidId();
    const issuer = o.issuer ?? this.issuer;
    const tid = o.tenantIdClaim ?? this.tid;
    const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
    const outer = o.outerInResponseTo === undefined ? irt : o.outerInResponseTo === null ? '' : ` InResponseTo="${esc(o.outerInResponseTo)}"`;
    const claims: Array<[string, string | undefined]> = [
      ['http://schemas.microsoft.com/identity/claims/tenantid', tid],
      ['http://schemas.microsoft.com/identity/claims/objectidentifier', o.user.oid],
      ['http://schemas.microsoft.com/identity/claims/displayname', o.user.displayName ?? o.user.upn],
      ['http://schemas.microsoft.com/identity/claims/identityprovider', `https://sts.windows.net/${tid}/`],
      ['http://schemas.microsoft.com/claims/authnmethodsreferences', 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', o.user.email],
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', o.user.upn],
    ];
    const attrs = claims
      .filter(([, v]) => v !== undefined)
      .map(([n, v]) => `<Attribute Name="${n}"><AttributeValue>${esc(v!)}</AttributeValue></Attribute>`)
      .join('');
    const status = o.status
      ? `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${o.status.code}">${o.status.sub ? `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${o.status.sub}"/>` : ''}</samlp:StatusCode>${o.status.message ? `<samlp:StatusMessage>${esc(o.status.message)}</samlp:StatusMessage>` : ''}</samlp:Status>`
      : `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`;
    const assertion = o.status
      ? ''
      : `<Assertion ID="${assertionId}" IssueInstant="${iso(now)}" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` +
        `<Issuer>${esc(issuer)}</Issuer>` +
        `<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(o.user.upn)}</NameID>` +
        `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData${irt} NotOnOrAfter="${iso(now + (o.scdLifetimeMs ?? 3600_000))}" Recipient="${esc(o.recipient ?? o.acsUrl)}"/></SubjectConfirmation></Subject>` +
        `<Conditions NotBefore="${iso(now - 300_000)}" NotOnOrAfter="${iso(now + 3600_000)}"><AudienceRestriction><Audience>${esc(o.audience)}</Audience></AudienceRestriction></Conditions>` +
        `<AttributeStatement>${attrs}</AttributeStatement>` +
        `<AuthnStatement AuthnInstant="${iso(now - 14 * 86400_000)}" SessionIndex="${assertionId}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
        `</Assertion>`;
    let xml =
      `<samlp:Response ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(o.destination ?? o.acsUrl)}"${outer} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${esc(issuer)}</Issuer>${status}${assertion}</samlp:Response>`;
    const mode = o.sign ?? 'assertion';
    const signer = o.signer ?? this.signer;
    const sha1 = o.sha1 ?? false;
    if (!o.status && (mode === 'assertion' || mode === 'both')) xml = sign(xml, assertionId, "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", signer, sha1);
    if (mode === 'response' || mode === 'both') xml = sign(xml, responseId, "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", signer, sha1);
    return o.mutate ? o.mutate(xml) : xml;
  }

  /** A LogoutResponse as Entra sends it over HTTP-Redirect: DEFLATE + base64, unsigned. */
  logoutResponse(inResponseTo: string, o: { issuer?: string; status?: string } = {}): string {
    const xml =
      `<samlp:LogoutResponse ID="${guidId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${esc(inResponseTo)}" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${esc(o.issuer ?? `https://login.microsoftonline.com/${this.tid}/`)}</Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${o.status ?? this.logoutStatus}"/></samlp:Status></samlp:LogoutResponse>`;
    return zlib.deflateRawSync(Buffer.from(xml)).toString('base64');
  }

  response(o: ResponseOptions): string {
    return Buffer.from(this.responseXml(o), 'utf8').toString('base64');
  }

  /** Serves the metadata and the sign-in endpoint /{tid}/saml2 on loopback. */
  async start(acsFor: (audience: string) => string): Promise<string> {
    this.server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === `/${this.tid}/federationmetadata/2007-06/federationmetadata.xml`) {
        res.writeHead(200, { 'content-type': 'application/xml' }).end(this.metadataXml());
        return;
      }
      // IdP-initiated, like the My Apps tile: an unsolicited response for `nextUser`.
      if (u.pathname === `/${this.tid}/launch` && this.nextUser) {
        const audience = u.searchParams.get('audience') ?? '';
        const acs = acsFor(audience);
        res.writeHead(200, { 'content-type': 'text/html' }).end(postForm(acs, this.response({ user: this.nextUser, acsUrl: acs, audience, ...this.nextOptions })));
        return;
      }
      if (u.pathname === `/${this.tid}/saml2` && u.searchParams.has('SAMLRequest')) {
        const xml = zlib.inflateRawSync(Buffer.from(u.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
        if (/^<samlp:LogoutRequest[\s>]/.test(xml)) {
          // Entra finds the app by the request's Issuer and answers at its registered Logout URL,
          // over HTTP-Redirect, with an Issuer on login.microsoftonline.com.
          this.lastLogoutRequest = xml;
          const id = /\sID="([^"]+)"/.exec(xml)![1];
          const audience = /<saml:Issuer>([^<]+)<\/saml:Issuer>/.exec(xml)![1];
          const slo = new URL(`${audience}/slo`);
          slo.searchParams.set('SAMLResponse', this.logoutResponse(id));
          res.writeHead(302, { location: slo.toString() }).end();
          return;
        }
        this.lastAuthnRequest = xml;
        const problems = checkAuthnRequest(xml);
        if (problems.length || !this.nextUser) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`AADSTS750054: ${problems.join('; ') || 'no user'}`);
          return;
        }
        const id = /\sID="([^"]+)"/.exec(xml)![1];
        const audience = /<saml:Issuer>([^<]+)<\/saml:Issuer>/.exec(xml)![1];
        const acs = /AssertionConsumerServiceURL="([^"]+)"/.exec(xml)![1];
        if (acs !== acsFor(audience)) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('AADSTS50011: reply URL mismatch');
          return;
        }
        const b64 = this.response({ user: this.nextUser, acsUrl: acs, audience, inResponseTo: id, ...this.nextOptions });
        res.writeHead(200, { 'content-type': 'text/html' }).end(postForm(acs, b64));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

/** Entra's rules for an AuthnRequest (what it refuses with an AADSTS error). */
export function checkAuthnRequest(xml: string): string[] {
  const p: string[] = [];
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id || /^[0-9]/.test(id)) p.push('ID missing or starts with a digit');
  if (!/<saml:Issuer>[^<]+<\/saml:Issuer>/.test(xml)) p.push('no Issuer');
  if (/<saml:Subject/.test(xml)) p.push('Subject not supported');
  if (/RequestedAuthnContext/.test(xml) && !/Comparison="exact"/.test(xml)) p.push('RequestedAuthnContext comparison');
  if (/SPNameQualifier/.test(xml)) p.push('SPNameQualifier');
  const fmt = /NameIDPolicy[^>]*Format="([^"]+)"/.exec(xml)?.[1];
  if (fmt && !/(persistent|emailAddress|unspecified|transient)$/.test(fmt)) p.push('NameIDPolicy format');
  return p;
}

/** The auto-posting form Entra's login page ends with. */
export function postForm(acs: string, samlResponse: string, relayState?: string): string {
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(acs)}">` +
    `<input type="hidden" name="SAMLResponse" value="${samlResponse}">${relayState ? `<input type="hidden" name="RelayState" value="${esc(relayState)}">` : ''}` +
    `<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}
