// The daily re-read of the App Federation Metadata URL: an Entra certificate rollover is picked up
// without admin work; an unreachable URL or a changed entityID keeps the pinned certificates.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { FakeEntraSaml, keyPair } from './helpers/fake-entra-saml.ts';
import { createTenant } from '../src/db/tenants.ts';
import { configureSaml } from '../src/sso/configure.ts';
import { loadCerts } from '../src/sso/config-store.ts';
import { parseCert } from '../src/sso/certs.ts';
import { refreshMetadata } from '../src/sso/metadata-refresh.ts';

const TID = 'aaaaaaaa-6666-4000-8000-00000000000a';
const quiet = { info() {}, warn() {} };

t.test('metadata refresh', async (t) => {
  const db = await freshDb(t);
  const tenant = await createTenant(db, { domain: 'acme', name: 'Acme' });
  const idp = new FakeEntraSaml(TID);
  await idp.start(() => '');
  t.teardown(() => idp.stop());
  const url = `${idp.url}/${TID}/federationmetadata/2007-06/federationmetadata.xml?appid=1`;
  await configureSaml(db, tenant.id, { url, matchAttribute: 'userName', allowIdpInitiated: false });
  const fp = (name: string) => parseCert(keyPair(name).cert).fingerprint;
  t.same((await loadCerts(db, tenant.id)).map((c) => c.fingerprint), [fp('idp-a')]);

  // Entra now signs with a new certificate and publishes it.
  idp.signer = keyPair('idp-a2');
  t.same(await refreshMetadata(db, quiet), { updated: 1, failed: 0 });
  t.same((await loadCerts(db, tenant.id)).map((c) => c.fingerprint), [fp('idp-a2')], 'rollover picked up');

  // Metadata of another Entra tenant at that URL: refused, certificates kept.
  const other = new FakeEntraSaml('bbbbbbbb-6666-4000-8000-00000000000b', 'attacker');
  await db.ssoConfig.update({ where: { tenantId: tenant.id }, data: { metadataUrl: `${await other.start(() => '')}/${other.tid}/federationmetadata/2007-06/federationmetadata.xml` } });
  t.teardown(() => other.stop());
  t.same(await refreshMetadata(db, quiet), { updated: 0, failed: 1 }, 'changed entityID refused');
  t.same((await loadCerts(db, tenant.id)).map((c) => c.fingerprint), [fp('idp-a2')]);

  // Unreachable: nothing changes.
  await db.ssoConfig.update({ where: { tenantId: tenant.id }, data: { metadataUrl: url } });
  await idp.stop();
  t.same(await refreshMetadata(db, quiet, { timeoutMs: 2000, maxBytes: 1 << 20 }), { updated: 0, failed: 1 });
  t.same((await loadCerts(db, tenant.id)).map((c) => c.fingerprint), [fp('idp-a2')], 'pinned certificates kept');
});
