// Strict parsing of SAML/metadata XML: any DOCTYPE is refused before parsing (no entity tricks,
// SAML never needs one), and parser warnings or errors refuse the document.
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

export const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
} as const;

export class XmlRefused extends Error {}

export function hasDoctype(xml: string): boolean {
  return /<!DOCTYPE/i.test(xml);
}

export function parseStrict(xml: string): Document {
  if (hasDoctype(xml)) throw new XmlRefused('document has a DOCTYPE');
  let problem: string | null = null;
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning' || problem === null) problem = `${level}: ${msg}`;
    },
  }).parseFromString(xml, 'text/xml');
  if (problem !== null || !doc.documentElement) throw new XmlRefused(`not well-formed XML (${problem ?? 'empty'})`);
  return doc;
}

export function children(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

export function child(el: Element, ns: string, local: string): Element | null {
  return children(el, ns, local)[0] ?? null;
}

export function descendants(el: Element | Document, ns: string, local: string): Element[] {
  return Array.from(el.getElementsByTagNameNS(ns, local)) as Element[];
}

export function text(el: Element | null): string | null {
  return el ? (el.textContent ?? '').trim() : null;
}
