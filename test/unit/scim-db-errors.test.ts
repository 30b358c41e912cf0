// Database errors: Prisma's codes → the neutral errors of src/db/errors.ts → SCIM errors.
import t from 'tap';
import { Prisma } from '../../src/db/generated/client.ts';
import { Conflict, NotFound, ReferenceNotFound, SelfReference, UniqueViolation, UnstorableValue, toDbError } from '../../src/db/errors.ts';
import { withRetry, RetryTransaction } from '../../src/db/retry.ts';
import { displayNameInUse, scimDb, scimErrorOf, throwScim, userNameInUse } from '../../src/scim/db-errors.ts';
import { InvalidValueError, ScimError } from '../../src/scim/errors.ts';

function known(code: string, meta?: Record<string, unknown>) {
  return new Prisma.PrismaClientKnownRequestError(`failed (${code})`, { code, clientVersion: 'test', ...(meta ? { meta } : {}) });
}

t.test('Prisma codes become neutral errors', async (t) => {
  const unique = toDbError(known('P2002', { target: ['tenantId', 'displayNameKey'] }));
  t.ok(unique instanceof UniqueViolation);
  t.same((unique as UniqueViolation).fields, ['tenantId', 'displayNameKey']);
  t.ok(toDbError(known('P2025')) instanceof NotFound);
  t.ok(toDbError(known('P2034')) instanceof Conflict);
  for (const code of ['P2000', 'P2006', 'P2007', 'P2009', 'P2012', 'P2019', 'P2020']) {
    t.ok(toDbError(known(code)) instanceof UnstorableValue, `${code} is a value the column cannot hold`);
  }
  t.equal(toDbError(new Prisma.PrismaClientValidationError('bad query', { clientVersion: 'test' })), null, 'a query Prisma rejects is our bug');
  t.equal(toDbError(known('P1001')), null, 'an unreachable server is no neutral error (a storage fault)');
  t.equal(toDbError(new Error('bug')), null);
});

t.test('neutral errors become SCIM errors with the words the service gives', async (t) => {
  const taken = scimErrorOf(new UniqueViolation(['displayNameKey']), { unique: displayNameInUse('Sales') });
  t.match(taken?.toJSON(), { status: '409', scimType: 'uniqueness', detail: 'Group displayName "Sales" is already in use in this tenant' });
  t.equal(scimErrorOf(new UniqueViolation([]), { unique: userNameInUse('a@b') })?.message, 'userName "a@b" is already in use in this tenant');
  t.match(scimErrorOf(new NotFound('gone'), { notFound: 'Group g1 not found' })?.toJSON(), { status: '404', detail: 'Group g1 not found' });
  t.match(scimErrorOf(new ReferenceNotFound('members', 'u9'))?.toJSON(), {
    status: '400',
    scimType: 'invalidValue',
    detail: 'members value "u9" is not a User or Group in this tenant',
  });
  t.equal(scimErrorOf(new ReferenceNotFound('manager', 'x'.repeat(150)))?.message, `manager value "${'x'.repeat(100)}…" is not a User in this tenant`);
  t.equal(scimErrorOf(new SelfReference('members'))?.message, 'A group cannot be a member of itself');
  t.match(scimErrorOf(new UnstorableValue('too long'))?.toJSON(), { status: '400', scimType: 'invalidValue' });
  t.match(scimErrorOf(new Conflict('lost'))?.toJSON(), { status: '409' });
  t.equal(scimErrorOf(new Error('bug')), null, 'an unexpected error is left to the edge (logged 500)');
});

t.test('throwScim and scimDb leave other errors unchanged', async (t) => {
  const own = new InvalidValueError('from the mutate callback');
  t.throws(() => throwScim(own), own);
  const bug = new TypeError('bug');
  await t.rejects(scimDb({}, async () => { throw bug; }), bug);
  let displayName = '';
  await t.rejects(
    scimDb(() => ({ unique: displayNameInUse(displayName) }), async () => {
      displayName = 'worked out inside the call';
      throw new UniqueViolation([]);
    }),
    { message: 'Group displayName "worked out inside the call" is already in use in this tenant' },
  );
  t.equal(await scimDb({}, async () => 7), 7);
});

t.test('withRetry gives up with a neutral Conflict', async (t) => {
  let calls = 0;
  const err = await withRetry(async () => {
    calls++;
    throw new RetryTransaction();
  }, 3).catch((e: unknown) => e);
  t.equal(calls, 3);
  t.ok(err instanceof Conflict);
  t.ok(scimErrorOf(err) instanceof ScimError);
  const notRetried = new Error('not a conflict');
  await t.rejects(withRetry(async () => { throw notRetried; }, 3), notRetried);
});
