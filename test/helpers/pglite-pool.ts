import type { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import { createDb, type DbHandle } from '../../src/db/connect.js';
import { watchOutboxPglite } from '../../src/db/outbox-watch.js';
import type { Database } from '../../src/db/types.js';
import { EMPTY_ALL_TABLES } from './empty-tables.js';

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

/** What must be equal for a used database to count as fresh: schema, code, settings, row counts and sequences. */
async function fingerprint(pglite: PGlite): Promise<string> {
  const { rows } = await pglite.query<{ print: string }>(`
    select string_agg(line, E'\\n' order by line) as print from (
      select 'rel ' || c.relname || ' ' || c.relkind::text from pg_class c where c.relnamespace = 'public'::regnamespace
      union all
      select 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        from pg_attribute a join pg_class c on c.oid = a.attrelid left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and not a.attisdropped
      union all
      select 'index ' || indexdef from pg_indexes where schemaname = 'public'
      union all
      select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
      union all
      select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger where not tgisinternal
      union all
      select 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) from pg_proc p where p.pronamespace = 'public'::regnamespace
      union all
      select 'namespace ' || nspname from pg_namespace
      union all
      select 'extension ' || extname || ' ' || extversion from pg_extension
      union all
      select 'role ' || rolname from pg_roles
      union all
      select 'setting ' || coalesce(array_to_string(setconfig, ','), '') from pg_db_role_setting
      union all
      select 'sequence ' || sequencename || ' ' || coalesce(last_value::text, '-') from pg_sequences
      union all
      select 'rows ' || table_name || ' ' || (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', table_name), false, true, '')))[1]::text
        from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
    ) as lines (line)`);
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
