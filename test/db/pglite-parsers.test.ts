import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.js';
import { openEmbedded } from '../../src/db/embedded.js';
import { testDbKind } from '../helpers/db.js';

// About the embedded database only: once is enough.
describe.skipIf(testDbKind !== 'pglite')('values read from the embedded database, with the array parsers trimmed', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openEmbedded({ databaseUrl: null, dataDir: null });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('keeps a short table of parsers instead of one per array type', () => {
    expect(Object.keys(h.pglite!.parsers).length).toBeLessThan(60);
  });

  it('reads base types and the arrays the bot selects as JavaScript values', async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select 1::int4 as i, 9007199254740993::int8 as big, true as b, 'x'::text as t, '{"a":1}'::jsonb as j,
        '2027-01-04T08:00:00Z'::timestamptz as at, array['m1', 'm2']::text[] as ids, array[1, 2]::int4[] as nums,
        array['2027-01-04T08:00:00Z']::timestamptz[] as ats, array['{"a":1}']::jsonb[] as docs, array['a b']::varchar[] as names`.execute(h.db);
    expect(rows[0]).toEqual({
      i: 1,
      big: 9007199254740993n,
      b: true,
      t: 'x',
      j: { a: 1 },
      at: new Date('2027-01-04T08:00:00Z'),
      ids: ['m1', 'm2'],
      nums: [1, 2],
      ats: [new Date('2027-01-04T08:00:00Z')],
      docs: [{ a: 1 }],
      names: ['a b'],
    });
  });

  it('reads an array of a type it keeps no parser for in its text form', async () => {
    const { rows } = await sql<{ boxes: unknown }>`select array[point(1, 2)] as boxes`.execute(h.db);
    expect(rows[0]!.boxes).toBe('{"(1,2)"}');
  });
});
