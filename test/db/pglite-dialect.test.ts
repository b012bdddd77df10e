import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.js';
import { openEmbedded } from '../../src/db/embedded.js';
import { testDbKind, useTestDb } from '../helpers/db.js';

const t = useTestDb();

describe('parameters, on either database', () => {
  // What each driver makes of the answer differs (int8, bytea); what it sends must not.
  it('reach the database as the same values: instants, dates, JSON, arrays, bytes, booleans, big integers', async () => {
    const at = new Date('2027-01-04T08:00:00.123Z');
    const { rows } = await sql<Record<string, unknown>>`
      select ${at}::timestamptz as at, ${'2027-01-04'}::date::text as day, ${JSON.stringify({ a: [1, 'two'] })}::jsonb as doc,
        ${['m1', 'a "quoted", b']}::text[] as ids, ${[3, 4]}::int4[] as nums, encode(${Buffer.from([0, 1, 255])}::bytea, 'hex') as bytes,
        ${true}::bool as yes, ${9007199254740993n}::int8::text as big, ${null}::text as nothing, ${'ünïcode ✓'} as text`.execute(t.db);
    expect(rows[0]).toEqual({
      at,
      day: '2027-01-04',
      doc: { a: [1, 'two'] },
      ids: ['m1', 'a "quoted", b'],
      nums: [3, 4],
      bytes: '0001ff',
      yes: true,
      big: '9007199254740993',
      nothing: null,
      text: 'ünïcode ✓',
    });
  });

  it('a statement run many times with ON CONFLICT on a partial unique index keeps finding the index', async () => {
    await sql`create table dialect_open_flags (id serial, member_id int, status text)`.execute(t.db);
    await sql`create unique index on dialect_open_flags (member_id) where status <> 'resolved'`.execute(t.db);
    // Postgres would try a plan made without the values from the sixth run of a prepared statement.
    for (let i = 0; i < 8; i++) {
      const member = i % 2;
      await sql`insert into dialect_open_flags (member_id, status) values (${member}, ${'open'}) on conflict (member_id) where status <> ${'resolved'} do nothing`.execute(t.db);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from dialect_open_flags`.execute(t.db);
    expect(rows[0]!.n).toBe(2);
    await sql`drop table dialect_open_flags`.execute(t.db);
  });

  it('reports a failed statement with its code, and the next one runs', async () => {
    await expect(sql`select * from no_such_table where id = ${1}`.execute(t.db)).rejects.toMatchObject({ code: '42P01' });
    await expect(sql`select ${1}::int / ${0}::int as x`.execute(t.db)).rejects.toMatchObject({ code: '22012' });
    const { rows } = await sql<{ x: number }>`select ${6}::int / ${2}::int as x`.execute(t.db);
    expect(rows[0]!.x).toBe(3);
  });

  it('counts the rows an update changed', async () => {
    const result = await t.db.updateTable('heartbeats').set({ at: new Date() }).where('name', '=', 'nobody').executeTakeFirst();
    expect(result.numUpdatedRows).toBe(0n);
  });
});

// What the embedded database keeps between queries: once is enough.
describe.skipIf(testDbKind !== 'pglite')('statements the embedded database keeps prepared', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openEmbedded({ databaseUrl: null, dataDir: null });
    await sql`create table notes (id int primary key, body text)`.execute(h.db);
    await sql`insert into notes values (1, 'first')`.execute(h.db);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const prepared = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(h.db)).rows[0]!.n;
  const readAll = async () => (await sql<Record<string, unknown>>`select * from notes where id = ${1}`.execute(h.db)).rows[0];

  it('parses a query the bot repeats once, and runs it again from there', async () => {
    const before = await prepared();
    for (let i = 0; i < 3; i++) expect(await readAll()).toEqual({ id: 1, body: 'first' });
    // The query above and the count itself.
    expect(await prepared()).toBe(before + 1);
  });

  it('still answers when the table changed shape under a prepared statement', async () => {
    expect(await readAll()).toEqual({ id: 1, body: 'first' });
    await sql`alter table notes add column pinned boolean not null default false`.execute(h.db);
    expect(await readAll()).toEqual({ id: 1, body: 'first', pinned: false });
  });

  it('prepares again what DISCARD ALL threw away', async () => {
    expect(await readAll()).toMatchObject({ id: 1 });
    await sql`discard all`.execute(h.db);
    expect(await readAll()).toMatchObject({ id: 1 });
  });

  it('keeps a bounded number of statements however many different queries run', async () => {
    for (let i = 0; i < 400; i++) await sql`select ${sql.lit(i)}::int as n, body from notes where id = ${1}`.execute(h.db);
    expect(await prepared()).toBeLessThanOrEqual(251);
    expect(await readAll()).toMatchObject({ id: 1 });
  });
});
