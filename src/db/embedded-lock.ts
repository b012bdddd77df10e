import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

/**
 * PGlite is one process's database: a second process opening the same directory (a CLI command
 * while the bot runs) would corrupt it. The process that opens it leaves its pid here; another
 * one refuses while that process lives.
 */
export function lockEmbedded(dataDir: string): () => void {
  const file = path.join(dataDir, 'mentorbot.pid');
  const holder = readHolder(file);
  if (holder !== null && holder !== process.pid && alive(holder)) {
    throw new ConfigError([
      `DATA_DIR=${dataDir}: the embedded database is in use by another mentorbot process (pid ${holder}), and only one process may open it. ` +
        'Stop the bot first, or run the bot and this command against Postgres (DATABASE_URL).',
    ]);
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    if (readHolder(file) === process.pid) rmSync(file, { force: true });
  };
}

function readHolder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
