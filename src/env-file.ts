// `.env` in the working directory (the project directory under `npm start` / `npm run cli`), read
// into process.env when it exists. Variables already in the environment win, so a supervisor's or
// a shell's settings override the file. Done here rather than with Node's --env-file-if-exists,
// which prints ".env not found. Continuing without it." on stderr at every start without one.
import fs from 'node:fs';
import path from 'node:path';

export function loadEnvFile(dir: string = process.cwd()): string | null {
  const file = path.join(dir, '.env');
  if (!fs.existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}
