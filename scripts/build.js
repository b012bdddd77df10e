#!/usr/bin/env node
/**
 * Compiles src/ and migrations/ to dist/ with tsc (tsconfig.build.json), copies every other file
 * under src/ (a stylesheet, a template) to the same place under dist/src/, removes what dist/
 * holds for sources that no longer exist (a migration left behind would still run), and packs an
 * empty embedded database for the installed PGlite (dist/pglite-initdb.tar.gz), which a first
 * start unpacks instead of running initdb.
 *
 *   node scripts/build.js             build (npm run build)
 *   node scripts/build.js --if-stale  build only when dist/ is missing or older than the sources
 *   node scripts/build.js --prepare   npm's prepare step: --if-stale, and a production install
 *                                     without TypeScript skips with a note instead of failing
 *
 * bin/mentorbot.js calls buildIfStale() before it starts, in a checkout (where src/ exists).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { create as tar } from 'tar';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = path.join(root, 'dist');
/** Written last by a build that succeeded; its mtime is the build's. */
const STAMP = path.join(dist, '.built');
const SOURCES = ['src', 'migrations'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

/** Every file and directory under dir (a directory's mtime moves when an entry is added, removed or renamed). */
function* walk(dir) {
  yield dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** The installed PGlite's version, read from its package.json (which its exports do not list). */
function installedPglite() {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

/** Why dist/ needs a build, or null when it is current. */
export function staleness() {
  if (!existsSync(STAMP)) return 'dist/ has not been built';
  const template = path.join(dist, 'pglite-initdb.json');
  if (!existsSync(template) || JSON.parse(readFileSync(template, 'utf8')).pglite !== installedPglite()) return 'its empty embedded database is for another PGlite';
  const built = statSync(STAMP).mtimeMs;
  for (const name of [...SOURCES, ...CONFIGS]) {
    const top = path.join(root, name);
    if (!existsSync(top)) continue;
    for (const file of statSync(top).isDirectory() ? walk(top) : [top]) {
      if (statSync(file).mtimeMs > built) return `${path.relative(root, file) || name} changed since dist/ was built`;
    }
  }
  return null;
}

function typescriptCompiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function copyAssets(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyAssets(src, dest);
    else if (!entry.name.endsWith('.ts')) {
      mkdirSync(to, { recursive: true });
      copyFileSync(src, dest);
    }
  }
}

/** Removes compiled files and copies under dist/<name> whose source is gone. */
function prune(name) {
  const out = path.join(dist, name);
  if (!existsSync(out)) return;
  for (const file of walk(out)) {
    if (statSync(file).isDirectory()) continue;
    const rel = path.relative(out, file);
    const source = path.join(root, name, rel.endsWith('.js') ? rel.replace(/\.js$/, '.ts') : rel);
    if (!existsSync(source)) rmSync(file);
  }
}

/** An initdb'd data directory, made the way the bot makes one, packed; kept while PGlite's version is the same. */
async function packInitdbTemplate(log) {
  const { INITDB_TEMPLATE, initDataDir, pgliteVersion } = await import(pathToFileURL(path.join(dist, 'src/db/init-pglite.js')).href);
  const { STARTUP_PARAMS } = await import(pathToFileURL(path.join(dist, 'src/db/embedded.js')).href);
  const stamp = INITDB_TEMPLATE.replace(/\.tar\.gz$/, '.json');
  const version = pgliteVersion();
  const made = existsSync(stamp) ? JSON.parse(readFileSync(stamp, 'utf8')) : {};
  if (existsSync(INITDB_TEMPLATE) && made.pglite === version && made.pgVersion) return;
  rmSync(stamp, { force: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-initdb-'));
  try {
    await initDataDir(dir, STARTUP_PARAMS, []);
    await tar({ gzip: true, portable: true, file: INITDB_TEMPLATE, cwd: dir }, readdirSync(dir));
    const pgVersion = readFileSync(path.join(dir, 'PG_VERSION'), 'utf8');
    writeFileSync(stamp, `${JSON.stringify({ pglite: version, pgVersion })}\n`);
    log(`mentorbot: packed an empty embedded database for PGlite ${version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds dist/; throws with tsc's own report when the sources do not compile. */
export async function build({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const tsc = typescriptCompiler();
  if (!tsc) throw new Error('mentorbot: building dist/ needs TypeScript, a dev dependency: run `npm install` (not --omit=dev), then `npm run build`.');
  const started = Date.now();
  rmSync(STAMP, { force: true });
  // Emit only: the types are checked by `npm run typecheck` (and CI), over the tests too. Every file
  // compiles on its own (isolatedModules), so skipping the check changes nothing that is written, and a
  // start that rebuilds after a pull waits seconds, not half a minute.
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`mentorbot: tsc could not compile the sources (exit ${result.status ?? result.signal}); see above.`);
  copyAssets(path.join(root, 'src'), path.join(dist, 'src'));
  for (const name of SOURCES) prune(name);
  await packInitdbTemplate(log);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  log(`mentorbot: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Builds when dist/ is missing or older than the sources; a no-op otherwise. */
export async function buildIfStale() {
  const why = staleness();
  if (!why) return false;
  process.stderr.write(`mentorbot: building dist/ (${why})…\n`);
  await build();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--prepare') && !typescriptCompiler()) {
      process.stderr.write('mentorbot: TypeScript is not installed (a production install), so dist/ is not built here.\n');
    } else if (args.includes('--if-stale') || args.includes('--prepare')) {
      await buildIfStale();
    } else {
      await build();
    }
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
