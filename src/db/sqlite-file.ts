// The SQLite file, checked before anything opens it, so that a wrong DATABASE_URL or an unwritable
// location stops the start with one line that says what to fix (StartupError), instead of a
// driver stack trace, an empty database created somewhere by a typo, or a hang (SQLite opening a
// file under /proc never returns).
import fs from 'node:fs';
import path from 'node:path';
import { StartupError } from '../startup-error.ts';

/** The zero-config database: only its directory is created when missing. */
export const DEFAULT_DATABASE_FILE = path.join('data', 'securelogin.db');

// The database holds password hashes, client secrets and tokens: owner-only, as are the -wal and
// -shm files, which SQLite creates with the database file's permission bits.
const FILE_MODE = 0o600;

/** Resolve a sqlite `file:` URL to an absolute path (relative paths are relative to the cwd). */
export function sqlitePath(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('file:')) return null;
  const p = databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  return path.resolve(p);
}

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * Makes sure `file` can serve as the database: its directory exists (created only for the
 * default location) and is writable, the file is a SQLite database or absent (then created
 * empty, mode 0600, which SQLite accepts as a new database) and writable. Returns its path.
 */
export function prepareSqliteFile(databaseUrl: string): string {
  const file = sqlitePath(databaseUrl);
  if (file === null) throw new StartupError(`DATABASE_URL must be a file: URL (SQLite) or a postgresql:// URL, got "${databaseUrl.split(':')[0]}:"`);
  const dir = path.dirname(file);
  if (file === path.resolve(DEFAULT_DATABASE_FILE)) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new StartupError(`cannot create the database directory ${dir} (${reason(e)}): create it, or set DATABASE_URL to a writable location`);
    }
  }
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new StartupError(
      `the directory of DATABASE_URL does not exist: ${dir} (only the default ${DEFAULT_DATABASE_FILE} is created automatically): create it or correct DATABASE_URL`,
    );
  }
  if (!dirStat.isDirectory()) throw new StartupError(`the directory of DATABASE_URL is not a directory: ${dir}: correct DATABASE_URL`);
  try {
    // SQLite creates the -wal and -shm files next to the database: the directory must be writable.
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new StartupError(`the database directory ${dir} is not writable by this process: give the service user write access to it, or set DATABASE_URL elsewhere`);
  }

  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StartupError(`cannot read the database file ${file} (${reason(e)}): check DATABASE_URL and permissions`);
  }
  if (st === null) {
    try {
      fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, FILE_MODE));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StartupError(`cannot create the database file ${file} (${reason(e)}): check DATABASE_URL and the directory's permissions`);
      }
    }
    return file;
  }
  if (!st.isFile()) throw new StartupError(`DATABASE_URL points at something that is not a file: ${file}: correct DATABASE_URL`);
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new StartupError(`the database file ${file} is read-only for this process: give the service user write access to it (and its directory)`);
  }
  // Whether it is a database at all is left to SQLite (SQLITE_NOTADB, see startupErrorFromSqlite):
  // reading its header here would mean opening and closing the file, and closing any descriptor of
  // a file drops every POSIX lock this process holds on it, including SQLite's own when a
  // connection is already open. Another process then believes it is alone, checkpoints and
  // deletes the WAL under us: that corrupted the database ("How To Corrupt An SQLite Database
  // File", section 2.2).
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o777) !== FILE_MODE) fs.chmodSync(f, FILE_MODE);
    } catch {
      // -wal/-shm absent (clean shutdown), or not ours to chmod: the open below decides.
    }
  }
  return file;
}

/** A SQLite error met while opening or migrating, as the one line an operator needs. */
export function startupErrorFromSqlite(file: string, e: unknown): StartupError | null {
  const code = String((e as { code?: unknown }).code ?? '');
  if (/^SQLITE_READONLY/.test(code)) return new StartupError(`the database file ${file} is read-only (${code}): give the service user write access to it and its directory`);
  if (/^SQLITE_NOTADB/.test(code)) return new StartupError(`${file} is not a SQLite database: point DATABASE_URL at the service's database file`);
  if (/^SQLITE_CANTOPEN/.test(code)) return new StartupError(`cannot open the database file ${file} (${code}): check DATABASE_URL and the permissions of the file and its directory`);
  if (/^SQLITE_FULL/.test(code)) return new StartupError(`the disk holding ${file} is full: free space, then start again`);
  if (/^SQLITE_(IOERR|CORRUPT)/.test(code)) return new StartupError(`cannot use the database file ${file} (${code}): check the disk and the file`);
  if (/^SQLITE_BUSY/.test(code)) return new StartupError(`the database file ${file} stayed locked by another process (${code}): stop the other process, then start again`);
  return null;
}
