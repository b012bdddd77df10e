import { TABLES } from '../../src/db/tables.js';

/**
 * Empties every table and restarts every sequence of the current schema, as a fresh migrated
 * database has them. DELETE, not TRUNCATE: a TRUNCATE of every table gives each table and index a
 * new file, about 100 ms of the Postgres server's CPU (45 ms on PGlite) against a few for deleting
 * the handful of rows a test leaves, and the suite empties its databases hundreds of times.
 * Children go before parents; the stall queue goes again at the end, as the deletes queue the
 * members they touch. One statement, so it runs the same through either driver.
 */
export const EMPTY_ALL_TABLES = `do $$ begin
  ${TABLES.map((t) => `delete from "${t}";`).join('\n  ')}
  delete from "stall_queue";
  perform setval(s.seqrelid::regclass, s.seqstart, false)
    from pg_sequence s join pg_class c on c.oid = s.seqrelid
    where c.relnamespace = current_schema()::regnamespace;
end $$`;

/**
 * One statement whose one value (`print`) is what must be equal for a used database to count as
 * fresh: the schema's tables, columns, indexes, constraints, triggers and functions, its sequences
 * and the rows of every table; with `wholeDatabase` (an embedded database, a file's alone) also
 * its schemas, extensions, roles and settings.
 */
export function fingerprintQuery(schema: string, { wholeDatabase }: { wholeDatabase: boolean }): string {
  const ns = `'${schema.replaceAll("'", "''")}'`;
  const database = wholeDatabase
    ? `
      union all select 'namespace ' || nspname from pg_namespace
      union all select 'extension ' || extname || ' ' || extversion from pg_extension
      union all select 'role ' || rolname from pg_roles
      union all select 'setting ' || coalesce(array_to_string(setconfig, ','), '') from pg_db_role_setting`
    : '';
  return `
    select string_agg(line, E'\\n' order by line) as print from (
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
        from information_schema.tables where table_schema = ${ns} and table_type = 'BASE TABLE'${database}
    ) as lines (line)`;
}
