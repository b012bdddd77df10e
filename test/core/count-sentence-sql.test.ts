import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { countSentence } from '../../src/core/attendance.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();

// A one-click check-in words the round post's count in the database (record_click): its
// count_sentence must say what countSentence says, for every tally.
describe('the count sentence in SQL', () => {
  it('is word for word the one every view uses', async () => {
    const tallies: Array<[number, number, number, number]> = [];
    for (let answered = 0; answered <= 2; answered++)
      for (let extra = 0; extra <= 2; extra++) for (let away = 0; away <= 3; away++) for (let left = 0; left <= 3; left++) tallies.push([answered, answered + extra, away, left]);
    const rows = await sql<{ i: number; s: string }>`
      select v.i, count_sentence(v.a, v.e, v.w, v.l) as s
      from (values ${sql.join(tallies.map(([a, e, w, l], i) => sql`(${i}::int, ${a}::int, ${e}::int, ${w}::int, ${l}::int)`))}) as v(i, a, e, w, l)
      order by v.i`.execute(t.db);
    expect(rows.rows.map((r) => r.s)).toEqual(tallies.map(([answered, expected, away, left]) => countSentence({ answered, expected, away, left })));
  });
});
