// Tenant, API-client and secret-token changes reach the token caches through one emitter per app,
// built with the app: apps in one process (as in every test file that starts several servers) share
// no listeners, each app's listeners are a fixed few under Node's default limit, and closing an app
// removes them.
import { EventEmitter } from 'node:events';
import t from 'tap';
import { startServer } from './helpers/server.ts';

const EVENTS = ['tenantChanged', 'apiClientRemoved', 'secretTokenRevoked'] as const;

t.test('each app has its own change emitter; listeners are bounded and leave with the app', async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => {
    process.off('warning', onWarning);
  });

  const servers = [];
  for (let i = 0; i < 3; i++) servers.push(await startServer(t));
  const emitters = servers.map((s) => s.app.changes);
  t.equal(new Set(emitters).size, servers.length, 'no emitter is shared between apps');
  for (const e of emitters) {
    t.equal(e.getMaxListeners(), EventEmitter.defaultMaxListeners, "Node's default listener limit is in force");
    t.same(
      EVENTS.map((name) => e.listenerCount(name)),
      [2, 1, 1],
      'the OAuth cache and the secret-token cache listen, nothing else',
    );
  }

  await servers[0].app.close();
  t.same(EVENTS.map((name) => emitters[0].listenerCount(name)), [0, 0, 0], 'a closed app leaves no listener behind');
  t.same(EVENTS.map((name) => emitters[1].listenerCount(name)), [2, 1, 1], 'the other apps keep theirs');
  t.same(warnings.filter((w) => w === 'MaxListenersExceededWarning'), [], 'no listener-leak warning');
});
