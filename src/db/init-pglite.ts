import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// initdb runs in a second PGlite instance plus its own WebAssembly module; together they touch
// about 400 MB that the process keeps long after they are closed (the next GC frees part of it,
// malloc keeps the rest). In a short-lived process of its own that memory goes back with it, so
// the bot's process only ever opens a data directory that exists.
const CHILD = `
const [, pglite, dataDir, params] = process.argv;
require(pglite).PGlite.create({ dataDir, startParams: JSON.parse(params) }).then((db) => db.close()).catch((err) => {
  process.stderr.write(String(err && err.message || err));
  process.exit(1);
});`;

/** Creates the database files in an empty `dataDir` (a no-op when they exist). */
export async function initDataDir(dataDir: string, startParams: string[]): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  try {
    await run(process.execPath, ['--liftoff-only', '-e', CHILD, pglite, dataDir, JSON.stringify(startParams)], { maxBuffer: 1 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`initializing the embedded database failed${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`);
  }
}
