import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { tryLock, unlock } from 'fs-native-extensions';
import { ConfigError } from '../config.js';

export const LOCK_FILE = 'mentorbot.lock';

/** What the holder writes into the lock file, so that whoever is refused can be told who holds it. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/**
 * PGlite is one process's database: a second process opening the same directory corrupts it. The
 * process that opens it holds an exclusive lock on DATA_DIR/mentorbot.lock for as long as the
 * database is open: an open file description lock (fcntl F_OFD_SETLK on Linux), kept by the kernel
 * or, on a network volume, by the file server. No pid is compared: in every container the bot is
 * pid 1, and a pid says nothing about another host. The lock goes with the process however it
 * ends (kill -9 included), and a second open of the file, even in the same process, is refused.
 * The file's text only names the holder; the file is never deleted, since a process that removed
 * it could let a third one lock a new file while the holder still has the old one.
 */
export function lockEmbedded(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  let fd: number;
  try {
    // Read-write without truncating: the holder's text stays for whoever is refused.
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (err) {
    const uid = process.getuid?.();
    const fix =
      (err as NodeJS.ErrnoException).code === 'EACCES' && uid !== undefined
        ? `This process runs as uid ${uid}: give the directory to that user, or point DATA_DIR at a writable directory.`
        : 'Point DATA_DIR at a writable directory.';
    throw new ConfigError([`DATA_DIR=${dataDir}: cannot open ${LOCK_FILE} there (${(err as Error).message}). ${fix}`]);
  }
  let granted: boolean;
  try {
    granted = tryLock(fd, { shared: false });
  } catch (err) {
    // Some systems answer a conflicting lock with EACCES instead of EAGAIN.
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') {
      closeSync(fd);
      throw new ConfigError([`DATA_DIR=${dataDir}: cannot lock ${LOCK_FILE} (${(err as Error).message}); the embedded database needs a file system with file locks.`]);
    }
    granted = false;
  }
  if (!granted) {
    closeSync(fd);
    throw new ConfigError([
      `DATA_DIR=${dataDir}: the embedded database is in use by another mentorbot process (${describe(readHolder(file))}), and only one process may open it. ` +
        'Stop that one first, or run the bot and this command against Postgres (DATABASE_URL).',
    ]);
  }
  const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    ftruncateSync(fd, 0);
    unlock(fd);
    closeSync(fd);
  };
}

function readHolder(file: string): Partial<Holder> | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Partial<Holder>) : null;
  } catch {
    return null;
  }
}

function describe(holder: Partial<Holder> | null): string {
  if (!holder || typeof holder.pid !== 'number') return 'its lock file does not say which';
  const where = typeof holder.host === 'string' ? ` on host ${holder.host}` : '';
  const since = typeof holder.since === 'string' ? `, since ${holder.since}` : '';
  return `pid ${holder.pid}${where}${since}`;
}
