import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { EMPTY_ALL_TABLES } from './empty-tables.js';

/**
 * Schemas on the test Postgres a worker keeps from one file to the next. Creating and migrating a
 * schema runs some 8,000 DDL statements' worth of catalog work a file (a third of the server's CPU
 * in a run), and the migrator's advisory lock made every worker wait for the others' migrations;
 * emptying a schema a file is done with takes milliseconds. A file's connections are its own and
 * closed with it, so nothing it left running can reach the next file's rows. A schema goes back
 * only when it is again what it was fresh: every table empty, every sequence restarted, and the
 * same tables, columns, indexes, constraints, triggers and functions (a test that changed them
 * leaves its schema to be dropped). The run's schemas share a prefix; the global setup drops them
 * at the end.
 */
interface Pooled {
  schema: string;
  freshPrint: string;
}

const idle: Pooled[] = [];

/** The schema's make-up and the rows and sequences it holds, as one string. */
async function fingerprint(db: Db, schema: string): Promise<string> {
  const ns = schema;
  const { rows } = await sql<{ print: string }>`
    select string_agg(line, E'\n' order by line) as print from (
      select 'rel ' || c.relname || ' ' || c.relkind::text from pg_class c where c.relnamespace = ${ns}::regnamespace
      union all
      select 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        from pg_attribute a join pg_class c on c.oid = a.attrelid left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where c.relnamespace = ${ns}::regnamespace and a.attnum > 0 and not a.attisdropped
      union all
      select 'index ' || indexdef from pg_indexes where schemaname = ${ns}
      union all
      select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = ${ns}::regnamespace
      union all
      select 'trigger ' || pg_get_triggerdef(t.oid) from pg_trigger t join pg_class c on c.oid = t.tgrelid where c.relnamespace = ${ns}::regnamespace and not t.tgisinternal
      union all
      select 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) from pg_proc p where p.pronamespace = ${ns}::regnamespace
      union all
      select 'sequence ' || sequencename || ' ' || coalesce(last_value::text, '-') from pg_sequences where schemaname = ${ns}
      union all
      select 'rows ' || table_name || ' ' || (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', table_schema, table_name), false, true, '')))[1]::text
        from information_schema.tables where table_schema = ${ns} and table_type = 'BASE TABLE'
    ) as lines (line)`.execute(db);
  return rows[0]!.print;
}

async function withSchema<T>(databaseUrl: string, schema: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const h = await createDb({ databaseUrl, dataDir: null, schema, poolSize: 1 });
  try {
    return await fn(h.db);
  } finally {
    await h.close();
  }
}

async function drop(databaseUrl: string, schema: string): Promise<void> {
  const admin = await createDb({ databaseUrl, dataDir: null, poolSize: 1 });
  try {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
  } finally {
    await admin.close();
  }
}

/** An empty migrated schema: one this worker kept, or a new one. */
export async function takeSchema(databaseUrl: string, prefix: string): Promise<Pooled> {
  const kept = idle.pop();
  if (kept) return kept;
  const schema = `${prefix}${randomBytes(6).toString('hex')}`;
  const admin = await createDb({ databaseUrl, dataDir: null, poolSize: 1 });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  try {
    const freshPrint = await withSchema(databaseUrl, schema, async (db) => {
      await migrateToLatest(db, { schema });
      return fingerprint(db, schema);
    });
    return { schema, freshPrint };
  } catch (err) {
    await drop(databaseUrl, schema).catch(() => {});
    throw err;
  }
}

/** Empties a schema a file is done with (its connections closed) and keeps it, or drops it. */
export async function giveBackSchema(databaseUrl: string, pooled: Pooled): Promise<void> {
  try {
    const print = await withSchema(databaseUrl, pooled.schema, async (db) => {
      await sql.raw(EMPTY_ALL_TABLES).execute(db);
      return fingerprint(db, pooled.schema);
    });
    if (print !== pooled.freshPrint) throw new Error('the schema differs from a fresh one');
    idle.push(pooled);
  } catch {
    await drop(databaseUrl, pooled.schema);
  }
}

/** Drops every schema of a run (the global setup's teardown). */
export async function dropRunSchemas(databaseUrl: string, prefix: string): Promise<void> {
  const admin = await createDb({ databaseUrl, dataDir: null, poolSize: 1 });
  try {
    const { rows } = await sql<{ nspname: string }>`select nspname from pg_namespace where starts_with(nspname, ${prefix})`.execute(admin.db);
    for (const { nspname } of rows) await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(admin.db);
  } finally {
    await admin.close();
  }
}
