// The bench's baseline: a bare Fastify 5 route returning a small JSON object, run with the same Node
// flags as the server, so "GET /Users/{id} ÷ hello-world" compares our per-request cost with the
// framework's floor on the same machine in the same run.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
