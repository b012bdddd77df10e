import { beforeEach, describe, expect, it } from 'vitest';
import { percentile, responseLines, responseTimes } from '../../../src/core/report/response-times.js';
import { useTestDb } from '../../helpers/db.js';
import { addMember, at, makeCohort } from '../stalls/fixtures.js';

const t = useTestDb();
const HOUR = 3600;

describe('mentor response time to stall alerts', () => {
  beforeEach(() => t.reset());

  it('interpolates percentiles between the closest ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([1, 3, 10], 0.5)).toBe(3);
    expect(percentile([1, 3, 10], 0.9)).toBeCloseTo(8.6);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('measures alert → first answer per cohort and mentor; self-resolved flags are not answers, open ones wait', async () => {
    const cohort = await makeCohort(t.db, { weeks: 3 });
    const other = await makeCohort(t.db, { weeks: 1, name: 'autumn' });
    await addMember(t.db, cohort.id, 'Ana', 'mentor');
    await addMember(t.db, cohort.id, 'Bob', 'mentor');
    await addMember(t.db, other.id, 'Ana', 'mentor', { userId: 'U-ana-2' });
    // One unresolved flag per learner at a time: each flag below has its own learner.
    let n = 0;
    const learner = () => addMember(t.db, cohort.id, `Learner ${++n}`);
    const elsewhere = await addMember(t.db, other.id, 'Zed');
    const opened = at(3);
    const flag = async (values: Record<string, unknown>, member?: number, cohortId = cohort.id) =>
      t.db.insertInto('stall_flags').values({ member_id: member ?? (await learner()), cohort_id: cohortId, reasons: JSON.stringify([]), opened_at: opened, ...values }).execute();
    const after = (hours: number) => new Date(opened.getTime() + hours * HOUR * 1000);
    await flag({ status: 'acknowledged', acknowledged_at: after(1), acknowledged_by: 'Ana' });
    await flag({ status: 'resolved', acknowledged_at: after(3), acknowledged_by: 'Ana', resolved_at: after(20), resolved_by: 'Ana', resolution: 'mentor' });
    // Resolved by a mentor without acknowledging first: the resolution is the answer.
    await flag({ status: 'resolved', resolved_at: after(10), resolved_by: 'Bob', resolution: 'mentor' });
    await flag({ status: 'resolved', resolved_at: after(5), resolution: 'auto' });
    await flag({ status: 'open' });
    // An organizer answered an escalated alert: not a mentor's answer, so not timed as one.
    await flag({ status: 'acknowledged', acknowledged_at: after(2), acknowledged_by: 'Olga the organizer' });
    await flag({ status: 'acknowledged', acknowledged_at: after(100), acknowledged_by: 'Ana' }, elsewhere, other.id);

    const times = await responseTimes(t.db, cohort.id);
    expect(times).toMatchObject({ answered: 3, waiting: 1, medianSeconds: 3 * HOUR });
    expect(times.p90Seconds! / HOUR).toBeCloseTo(8.6);
    expect(times.byMentor).toEqual([
      { mentor: 'Ana', answered: 2, medianSeconds: 2 * HOUR, p90Seconds: 2.8 * HOUR },
      { mentor: 'Bob', answered: 1, medianSeconds: 10 * HOUR, p90Seconds: 10 * HOUR },
    ]);
    expect(responseLines(times)).toEqual([
      'Cohort: median 3 h, 90th percentile 8.6 h (3 alerts); 1 waiting.',
      '• Ana: median 2 h, 90th percentile 2.8 h (2 alerts)',
      '• Bob: median 10 h, 90th percentile 10 h (1 alert)',
    ]);
  });
});
