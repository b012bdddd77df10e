import type { PGlite } from '@electric-sql/pglite';

/**
 * The array types the bot reads, by their fixed built-in OIDs: arrays of bool, bytea, char, name,
 * int2, int4, int8, text, oid, json, float4, float8, bpchar, varchar, date, time, timestamp,
 * timestamptz, interval, numeric, uuid and jsonb.
 */
const ARRAYS_KEPT = new Set([1000, 1001, 1002, 1003, 1005, 1007, 1016, 1009, 1028, 199, 1021, 1022, 1014, 1015, 1182, 1183, 1115, 1185, 1187, 1231, 2951, 3807]);

/**
 * PGlite copies its whole table of type parsers for every query it answers (a spread into a fresh
 * object), and at start it adds one for each of the database's array types: 316 entries, about 86 µs
 * of CPU per query on this machine, more than a small query's own work. Kept: every parser that is
 * not for an array type, and those for the arrays above; an array of any other type reads as
 * Postgres's text form, as a type PGlite has no parser for already does.
 */
export async function trimArrayParsers(pglite: PGlite): Promise<void> {
  const { rows } = await pglite.query<{ oid: number }>('select typarray::int as oid from pg_catalog.pg_type where typarray <> 0');
  const arrays = new Set(rows.map((r) => r.oid));
  const kept: PGlite['parsers'] = {};
  for (const [key, parse] of Object.entries(pglite.parsers)) {
    const oid = Number(key);
    if (!arrays.has(oid) || ARRAYS_KEPT.has(oid)) kept[key] = parse;
  }
  pglite.parsers = kept;
}
