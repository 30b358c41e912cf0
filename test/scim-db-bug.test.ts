// A query Prisma rejects (PrismaClientValidationError) is our bug, not the client's: the SCIM edge
// logs it with the request id and answers 500 with a SCIM error body, never 400 and never 503.
// The fault is forced on a real database by a query extension that adds an impossible condition
// to one kind of statement; everything else runs as in production.
import { Writable } from 'node:stream';
import t from 'tap';
import Fastify from 'fastify';
import { freshDb } from './helpers/db.ts';
import type { Db } from '../src/db/client.ts';
import { Prisma } from '../src/db/generated/client.ts';
import { toDbError } from '../src/db/errors.ts';
import { createGroupsRepo } from '../src/db/scim-groups.ts';
import { loadConfig } from '../src/config.ts';
import scimPlugin from '../src/scim/plugin.ts';
import { scimErrorOf } from '../src/scim/db-errors.ts';
import { ERROR_URN } from '../src/scim/errors.ts';
import { noActivity } from '../src/activity/types.ts';
import { TEST_ENV, freePort } from './helpers/server.ts';

const TENANT = 'tenant-1';

/** `db` whose group listings carry a condition on a column that does not exist. */
function withImpossibleGroupWhere(db: Db): Db {
  return db.$extends({
    query: {
      scimGroup: {
        findMany({ args, query }) {
          return query({ ...args, where: { ...args.where, noSuchColumn: 'x' } as Prisma.ScimGroupWhereInput });
        },
      },
    },
  }) as unknown as Db;
}

t.test('the repository lets a rejected query out as it is, not as a neutral error', async (t) => {
  const db = await freshDb(t);
  await db.tenant.create({ data: { id: TENANT, domain: 'a', domainKey: 'a', name: 'A' } });
  const repo = createGroupsRepo(db);
  const query = { where: { noSuchColumn: 'x' } as Prisma.ScimGroupWhereInput, orderBy: [], skip: 0, take: 10, members: false };
  const err = await repo.list(TENANT, query).catch((e: unknown) => e);
  t.ok(err instanceof Prisma.PrismaClientValidationError, 'Prisma validation error passes through');
  t.equal(toDbError(err), null);
  t.equal(scimErrorOf(err), null, 'no SCIM wording: the edge decides');
});

t.test('over HTTP: logged with the request id, answered 500 with a SCIM error body', async (t) => {
  const db = await freshDb(t);
  await db.tenant.create({ data: { id: TENANT, domain: 'a', domainKey: 'a', name: 'A' } });
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const port = await freePort();
  const config = loadConfig({ ...TEST_ENV, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'file:/unused' });
  const app = Fastify({ logger: { level: 'warn', stream }, genReqId: (req) => String(req.headers['x-request-id'] ?? 'none') });
  await app.register(scimPlugin, {
    prefix: '/scim/v2',
    config,
    db: withImpossibleGroupWhere(db),
    resolveToken: async () => ({ ok: true, tenantId: TENANT, grantId: 'grant-1', clientId: 'client-1', scope: 'scim' }),
    activity: noActivity,
  });
  await app.listen({ host: '127.0.0.1', port });
  t.teardown(() => app.close());
  const get = (path: string, id: string) => fetch(`http://127.0.0.1:${port}/scim/v2${path}`, { headers: { authorization: 'Bearer x', 'x-request-id': id } });

  // A filter other than equality on a key: the list goes through findMany (unfiltered and key
  // lookups are plain SQL statements).
  const res = await get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName sw "a"')}`, 'req-db-bug-1');
  t.equal(res.status, 500);
  t.match(res.headers.get('content-type'), /^application\/scim\+json/);
  t.same(await res.json(), { schemas: [ERROR_URN], status: '500', detail: 'Internal server error' });
  const logged = lines.find((l) => l.reqId === 'req-db-bug-1' && l.level === 50);
  t.ok(logged, 'an error line with the request id');
  t.match(logged, { msg: 'SCIM request failed', err: { type: 'PrismaClientValidationError' } });

  const other = await get('/Groups/no-such-group', 'req-db-bug-2');
  t.equal(other.status, 404, 'statements without the fault answer as usual');
  t.notOk(lines.some((l) => l.reqId === 'req-db-bug-2'), 'and log nothing at warn or above');
});
