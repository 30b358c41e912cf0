// Our SAML SP metadata for one tenant (SAML 2.0 Metadata §2.4.4), which Entra's Basic SAML
// Configuration can upload: Identifier, Reply URL (HTTP-POST, the only binding Entra answers with)
// and the Logout URL (HTTP-Redirect, the only binding Entra uses for logout). We sign no requests
// and want no encryption, so no KeyDescriptor is published; assertions must be signed.
import type { SpUrls } from './urls.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function spMetadataXml(urls: SpUrls): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(urls.entity_id)}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="true">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(urls.logout_url)}"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(urls.acs_url)}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}
