// A failure the operator must fix before the process can serve (port in use, unwritable or read-only
// database, unreachable database server, bad setting). server.ts prints its message as one line and
// exits non-zero, without a stack trace: the message must say what is wrong and what to do.
export class StartupError extends Error {
  override name = 'StartupError';
}
