import type { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import { createDb, type DbHandle } from '../../src/db/connect.js';
import { watchOutboxPglite } from '../../src/db/outbox-watch.js';
import type { Database } from '../../src/db/types.js';
import { EMPTY_ALL_TABLES, fingerprintQuery } from './fresh-database.js';

/**
 * Embedded databases a test worker keeps from one file to the next. Opening a PGlite from the
 * migrated template costs over a second of CPU (starting the WebAssembly Postgres, unpacking the
 * template); emptying one a file is done with costs a few milliseconds. A database goes back to the
 * pool only when it is again what the template was: its tables emptied, its session reset, and its
 * schema, settings and the rows of every table the same as a fresh one's (a test that altered a
 * table or left a transaction open leaves its database to be closed, not reused).
 */
const idle: PGlite[] = [];
let freshPrint: string | undefined;

const RESET_TIMEOUT_MS = 10_000;

async function fingerprint(pglite: PGlite): Promise<string> {
  const { rows } = await pglite.query<{ print: string }>(fingerprintQuery('public', { wholeDatabase: true }));
  return rows[0]!.print;
}

async function reset(pglite: PGlite): Promise<void> {
  await pglite.exec(EMPTY_ALL_TABLES);
  await pglite.exec('discard all');
}

/** Empties a database a file is done with and keeps it for the next file, or closes it. */
async function giveBack(pglite: PGlite): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const print = await Promise.race([
      reset(pglite).then(() => fingerprint(pglite)),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('reset timed out')), RESET_TIMEOUT_MS))),
    ]);
    if (print !== freshPrint) throw new Error('the database differs from the template');
    idle.push(pglite);
  } catch {
    await pglite.close().catch(() => {});
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The file's view of a pooled PGlite: everything passes through until it is closed, which gives the
 * database back; after that it answers as a closed PGlite would, so a timer the file left running
 * cannot reach the next file's data. Its notification listeners go with it.
 */
function lease(pglite: PGlite): DbHandle {
  let released = false;
  const unlisteners: Array<() => Promise<void>> = [];
  const release = async () => {
    if (released) return;
    released = true;
    for (const unlisten of unlisteners) await unlisten().catch(() => {});
    await giveBack(pglite);
  };
  const view = new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'close') return release;
      if (prop === 'closed') return released || target.closed;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (released) return () => Promise.reject(new Error('PGlite is closed'));
      if (prop === 'listen') {
        return async (...args: Parameters<PGlite['listen']>) => {
          const unlisten = await target.listen(...args);
          unlisteners.push(unlisten);
          return unlisten;
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(view) });
  return {
    db,
    kind: 'pglite',
    pglite: view,
    watchOutbox: (opts) => watchOutboxPglite(db, view, opts),
    // Kysely's destroy closes its PGlite: here, that gives the database back.
    close: () => db.destroy(),
  };
}

/** An empty migrated embedded database: one this worker kept, or a new one from the template. */
export async function openPooledPglite(template: () => Blob): Promise<DbHandle> {
  let pglite = idle.pop();
  if (!pglite) {
    const opened = await createDb({ databaseUrl: null, dataDir: null, loadDataDir: template() });
    pglite = opened.pglite!;
    freshPrint ??= await fingerprint(pglite);
  }
  return lease(pglite);
}
