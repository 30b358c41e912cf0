// The users repository speaks in neutral database errors (src/db/errors.ts), never SCIM ones: a
// taken userName is UniqueViolation, a missing user NotFound, a manager outside the tenant
// ReferenceNotFound; the service words them. Real database (SQLite file, or PostgreSQL schema).
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { createUsersRepo } from '../src/db/scim-users.ts';
import { NotFound, ReferenceNotFound, UniqueViolation } from '../src/db/errors.ts';
import { ScimError } from '../src/scim/errors.ts';
import { toWrite } from '../src/scim/users-service.ts';

t.test('users repository errors are neutral', async (t) => {
  const db = await freshDb(t);
  for (const [id, domain] of [['ta', 'a.test'], ['tb', 'b.test']]) await db.tenant.create({ data: { id, domain, domainKey: domain, name: domain } });
  const repo = createUsersRepo(db);
  const alice = await repo.create('ta', 'u-alice', toWrite({ userName: 'Alice' }));
  t.equal(alice.id, 'u-alice');
  await repo.create('tb', 'u-bob', toWrite({ userName: 'bob' }));

  const refused = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      t.notOk(e instanceof ScimError, `${(e as Error).name} is not a SCIM error`);
      return e;
    }
    return t.fail('expected a refusal');
  };
  t.type(await refused(repo.create('ta', 'u-2', toWrite({ userName: 'ALICE' }))), UniqueViolation, 'userName taken (case-insensitively)');
  const ref = await refused(repo.create('ta', 'u-3', toWrite({ userName: 'c', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'u-bob' } } })));
  t.type(ref, ReferenceNotFound, "another tenant's user is no manager");
  t.same([(ref as ReferenceNotFound).attribute, (ref as ReferenceNotFound).value], ['manager', 'u-bob']);
  t.type(await refused(repo.update('ta', 'u-bob', (cur) => toWrite(cur.data))), NotFound, "another tenant's user is not found");
  const renamed = await repo.update('ta', 'u-alice', (cur) => toWrite({ ...cur.data, displayName: 'A' }));
  t.equal(renamed.version, 2);
  t.equal(await repo.remove('ta', 'u-bob'), false, "another tenant's user is not removed");
});
