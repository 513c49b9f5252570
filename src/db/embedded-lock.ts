/**
 * PGlite belongs to one process: a second one (a CLI command while `npm start` runs) would read stale data or corrupt
 * the files. A pid file beside the directory refuses that with a clear message. A pid file, not a heartbeat lock: no
 * timer runs in the process, and a crashed owner's file is taken over because its pid is gone.
 */
import fs from 'node:fs';
import { AppError } from '../errors';

export function lockEmbeddedDatabase(directory: string): () => void {
  const lockPath = `${directory}.pid`;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(fs.readFileSync(lockPath, 'utf8').trim());
    if (Number.isSafeInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new AppError(
        'database_in_use',
        503,
        `the embedded database in ${directory} is in use by another process (is \`npm start\` running?): stop it first, or use DATABASE_URL (if no such process runs, delete ${lockPath})`,
      );
    }
    fs.rmSync(lockPath, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
