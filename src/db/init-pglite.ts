import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A data directory that initdb made, packed by the build (scripts/build.js) next to the compiled
 * code, with the PGlite version that made it. Unpacking it takes a fraction of initdb's seconds and
 * none of its memory.
 */
export const INITDB_TEMPLATE = fileURLToPath(new URL('../../pglite-initdb.tar.gz', import.meta.url));
/** Where to look: beside the compiled code, or in dist/ when running from the sources of a built checkout (the tests). */
const TEMPLATES = [INITDB_TEMPLATE, fileURLToPath(new URL('../../dist/pglite-initdb.tar.gz', import.meta.url))];
const PG_VERSION = 'PG_VERSION';

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

/** The installed PGlite's version; a template made by another version is not used. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What the build recorded beside the template: the PGlite that made it, and the data directory's PG_VERSION. */
interface TemplateInfo {
  pglite: string;
  pgVersion: string;
}

function templateInfo(template: string): TemplateInfo | null {
  try {
    const info = JSON.parse(readFileSync(template.replace(/\.tar\.gz$/, '.json'), 'utf8')) as Partial<TemplateInfo>;
    return typeof info.pglite === 'string' && typeof info.pgVersion === 'string' ? (info as TemplateInfo) : null;
  } catch {
    return null;
  }
}

/**
 * Creates the database files in an empty `dataDir` (a no-op when they exist): from the build's
 * template when one matches the installed PGlite, otherwise by initdb in a child process.
 */
export async function initDataDir(dataDir: string, startParams: string[], templates = TEMPLATES): Promise<'exists' | 'template' | 'initdb'> {
  if (existsSync(path.join(dataDir, PG_VERSION))) return 'exists';
  const version = pgliteVersion();
  for (const template of templates) {
    const info = existsSync(template) ? templateInfo(template) : null;
    if (!info || info.pglite !== version) continue;
    try {
      mkdirSync(dataDir, { recursive: true });
      const { extract } = await import('tar');
      // PG_VERSION last: a directory without it is not a database yet, so an unpacking cut short
      // is unpacked again at the next start instead of being opened half-made.
      await extract({ file: template, cwd: dataDir, strict: true, filter: (p) => p !== PG_VERSION });
      writeFileSync(path.join(dataDir, PG_VERSION), info.pgVersion);
    } catch (err) {
      throw new Error(`initializing the embedded database failed: ${(err as Error).message}`);
    }
    return 'template';
  }
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  try {
    await run(process.execPath, ['--liftoff-only', '-e', CHILD, pglite, dataDir, JSON.stringify(startParams)], { maxBuffer: 1 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`initializing the embedded database failed${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`);
  }
  return 'initdb';
}
