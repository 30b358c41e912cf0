// Why a PostgreSQL server could not be used at start-up, as one line that says what to fix.
import { StartupError } from '../startup-error.ts';
import { redactPgUrl } from './pg-url.ts';

export function startupErrorFromPg(databaseUrl: string, e: unknown): StartupError {
  const where = redactPgUrl(databaseUrl);
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  switch (err.code) {
    case 'ECONNREFUSED':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: connection refused; is the server running and listening there?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: unknown host; correct the host in DATABASE_URL`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupError(`cannot connect to PostgreSQL at ${where}: ${err.code}; check the host, port and firewall`);
    case '28P01':
    case '28000':
      return new StartupError(`PostgreSQL refused the credentials for ${where} (${msg}); correct the user and password in DATABASE_URL`);
    case '3D000':
      return new StartupError(`the PostgreSQL database in ${where} does not exist; create it (createdb) or correct DATABASE_URL`);
    case '42501':
      return new StartupError(`the PostgreSQL user in ${where} lacks a privilege the schema needs (${msg}); grant it, or use the database owner`);
    case '53300':
      return new StartupError(`PostgreSQL at ${where} has no free connection (too many clients); raise max_connections or lower connection_limit`);
  }
  if (/timeout/i.test(msg)) return new StartupError(`cannot connect to PostgreSQL at ${where}: connection timed out; check the host, port and firewall`);
  return new StartupError(`cannot use PostgreSQL at ${where}: ${msg.split('\n')[0]}`);
}
