// Entra's App Federation Metadata: entityID (the Issuer it will send), the SAML sign-on and logout
// endpoints, and every signing certificate of the IDPSSODescriptor (several during rollover).
// Certificates in the WS-Federation RoleDescriptors of the same document are not SAML keys and are
// ignored.
import { parseCert, type ParsedCert } from './certs.ts';
import { NS, child, children, descendants, parseStrict, text } from './xml.ts';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  sloUrl: string | null;
  certs: ParsedCert[];
  entraTenantId: string | null;
}

export class MetadataError extends Error {}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra's SAML issuer is https://sts.windows.net/{tid}/; the GUID is the tenantid claim. */
export function tenantIdFromIssuer(issuer: string): string | null {
  try {
    const seg = new URL(issuer).pathname.split('/').filter(Boolean)[0] ?? '';
    return GUID.test(seg) ? seg.toLowerCase() : null;
  } catch {
    return null;
  }
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  let doc;
  try {
    doc = parseStrict(xml);
  } catch (err) {
    throw new MetadataError(`metadata refused: ${(err as Error).message}`);
  }
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.md || root.localName !== 'EntityDescriptor') throw new MetadataError('metadata has no EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  if (!entityId) throw new MetadataError('metadata has no entityID');
  const idp = child(root, NS.md, 'IDPSSODescriptor');
  if (!idp) throw new MetadataError('metadata has no IDPSSODescriptor (is this SAML federation metadata?)');
  const sso = children(idp, NS.md, 'SingleSignOnService').find((e) => e.getAttribute('Binding') === REDIRECT);
  if (!sso?.getAttribute('Location')) throw new MetadataError('metadata has no HTTP-Redirect SingleSignOnService');
  const slo = children(idp, NS.md, 'SingleLogoutService').find((e) => e.getAttribute('Binding') === REDIRECT);
  const certs: ParsedCert[] = [];
  for (const kd of children(idp, NS.md, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of descendants(kd, NS.ds, 'X509Certificate')) {
      const parsed = parseCert(text(c) ?? '');
      if (!certs.some((x) => x.fingerprint === parsed.fingerprint)) certs.push(parsed);
    }
  }
  if (certs.length === 0) throw new MetadataError('metadata has no signing certificate');
  return { entityId, ssoUrl: sso.getAttribute('Location')!, sloUrl: slo?.getAttribute('Location') ?? null, certs, entraTenantId: tenantIdFromIssuer(entityId) };
}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** GET the metadata URL with a time-out and a size cap; every failure is one line. */
export async function fetchMetadata(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MetadataError(`metadata URL is not a valid URL: ${url}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new MetadataError('metadata URL must be http(s)');
  let res: Response;
  try {
    res = await fetch(u, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow', headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${Math.round(limits.timeoutMs / 1000)} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new MetadataError(`could not fetch metadata from ${u.origin}${u.pathname}: ${why}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new MetadataError(`could not fetch metadata from ${u.origin}${u.pathname}: HTTP ${res.status}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > limits.maxBytes) throw new MetadataError(`metadata from ${u.origin}${u.pathname} is larger than ${limits.maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof MetadataError) throw err;
    throw new MetadataError(`could not read metadata from ${u.origin}${u.pathname}: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
