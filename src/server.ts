// Process shell: load config, build the app, listen, shut down gracefully on SIGINT/SIGTERM.
// A failure to start is one line on stderr and a non-zero exit: an operator reads it in the
// supervisor's status or journal, where a stack trace hides the one sentence that matters.
import { loadConfig, ConfigError, type Config } from './config.ts';
import { StartupError } from './startup-error.ts';
import { loadEnvFile } from './env-file.ts';
import type { FastifyInstance } from 'fastify';

const EXIT_CONFIG = 2;
const EXIT_STARTUP = 1;

function fail(message: string, code: number): never {
  process.stderr.write(`securelogin: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(code);
}

function listenFailure(err: NodeJS.ErrnoException, config: Config): string | null {
  const where = `cannot listen on ${config.host}:${config.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `${where}: the port is already in use (is another instance still running?); stop it or set PORT`;
    case 'EACCES':
      return `${where}: permission denied (ports below 1024 need privileges); set PORT`;
    case 'EADDRNOTAVAIL':
      return `${where}: ${config.host} is not an address of this machine; set HOST`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: the host name ${config.host} does not resolve; set HOST`;
    default:
      return null;
  }
}

async function main() {
  let config: Config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(`configuration error: ${e.message}`, EXIT_CONFIG);
    throw e;
  }
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';

  let app: FastifyInstance;
  // Loaded after the configuration is known to be valid: a typo is reported at once, not after
  // every module of the product has been read.
  const { buildApp } = await import('./app.ts');
  const { gracefulShutdown } = await import('./plugins/shutdown.ts');
  try {
    app = await buildApp(config);
  } catch (e) {
    if (e instanceof StartupError || e instanceof ConfigError) fail(e.message, EXIT_STARTUP);
    if (verbose) console.error(e);
    fail(`start-up failed: ${(e as Error).message ?? String(e)}${verbose ? '' : ' (LOG_LEVEL=debug prints the details)'}`, EXIT_STARTUP);
  }

  let stopping = false;
  const { shutdownTimeoutSeconds } = config.lifecycle;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      process.exit(1);
    }
    stopping = true;
    app.beginDrain();
    app.log.info({ signal, shutdownTimeoutSeconds }, 'shutting down: refusing new requests, finishing those in flight');
    // If closing the database itself hangs, the supervisor still gets its process back.
    const backstop = setTimeout(() => {
      app.log.error('shutdown did not complete; exiting');
      process.exit(1);
    }, (shutdownTimeoutSeconds + 10) * 1000);
    backstop.unref();
    gracefulShutdown(app, { timeoutSeconds: shutdownTimeoutSeconds, log: app.log }).then(
      (outcome) => {
        app.log.info({ outcome }, outcome === 'clean' ? 'stopped' : 'stopped after cutting requests still running at the time-out');
        process.exit(outcome === 'clean' ? 0 : 1);
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    const line = listenFailure(e as NodeJS.ErrnoException, config);
    await app.close().catch(() => undefined);
    fail(line ?? `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`, EXIT_STARTUP);
  }
  app.log.info(
    { publicUrl: config.publicUrl, listen: `${config.host}:${config.port}` },
    `SecureLogin identity backend at ${config.publicUrl} (console: ${config.publicUrl}/console)`,
  );
}

main().catch((err: unknown) => {
  fail(`start-up failed: ${(err as Error)?.message ?? String(err)}`, EXIT_STARTUP);
});
