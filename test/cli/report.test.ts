import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderReport, run } from '../../src/cli/report.js';
import { addMember, answer, at, content, makeCohort } from '../core/stalls/fixtures.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();

describe('mentorbot report: bad input is refused before anything is opened', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [[], 'Name the cohort: --cohort <name>.'],
    [['--cohort', 'spring'], 'Say where to write the picture: --out <file.png>.'],
    [['--cohort', 'spring', '--out', 'report.jpg'], '--out must name a .png file, not "report.jpg".'],
    [['--cohort', 'spring', '--out', 'r.png', '--week', 'two'], '--week must be a week number from 1, not "two".'],
    [['--cohort', 'spring', '--out', 'r.png', '--colour'], "Unknown option '--colour'"],
  ])('%j', async (argv, message) => {
    expect(await run(argv)).toBe(2);
    expect(written.join('')).toContain(message);
    expect(written.join('')).toContain('usage: mentorbot report --cohort <name> --out <file.png> [--week N]');
  });
});

describe('mentorbot report: the picture from the database', () => {
  beforeEach(() => t.reset());

  it('draws the latest posted week by default, or the week asked for', async () => {
    const cohort = await makeCohort(t.db, { weeks: 3 });
    const maria = await addMember(t.db, cohort.id, 'Maria');
    await answer(t.db, cohort, maria, 1, 'on-track');
    const latest = await renderReport(t.db, content, 'spring', null, at(3, 5));
    if (!latest.ok) throw new Error(latest.message);
    expect(latest.summary).toMatch(/^spring, week 3, 1 learner, \d+ KB$/);
    const meta = await sharp(latest.png).metadata();
    expect([meta.format, meta.width]).toEqual(['png', 900]);
    const second = await renderReport(t.db, content, 'spring', 2, at(3, 5));
    expect(second.ok && second.summary.startsWith('spring, week 2,')).toBe(true);
  });

  it('draws a past week as it stood when it closed: its date, its milestones done and its open flags', async () => {
    const cohort = await makeCohort(t.db, { weeks: 3 });
    const maria = await addMember(t.db, cohort.id, 'Maria');
    await answer(t.db, cohort, maria, 1, 'on-track');
    await t.db.insertInto('milestone_completions').values({ member_id: maria, milestone_id: 'package', checkin_id: null, completed_at: at(3, 1) }).execute();
    await t.db.insertInto('stall_flags').values({ member_id: maria, cohort_id: cohort.id, reasons: JSON.stringify([]), opened_at: at(3, 2) }).execute();
    const week1 = await renderReport(t.db, content, 'spring', 1, at(3, 5));
    if (!week1.ok) throw new Error(week1.message);
    expect(week1.data.date).toBe('2026-03-09');
    expect(week1.data.rows.map((r) => [r.name, r.milestonesDone, r.openFlags])).toEqual([['Maria', 0, 0]]);
    const latest = await renderReport(t.db, content, 'spring', null, at(3, 5));
    if (!latest.ok) throw new Error(latest.message);
    expect(latest.data.date).toBe('2026-03-16');
    expect(latest.data.rows.map((r) => [r.name, r.milestonesDone, r.openFlags])).toEqual([['Maria', 1, 1]]);
  });

  it('says what is wrong: an unknown cohort (naming the cohorts there are), a week past the end, a cohort with no round yet', async () => {
    await makeCohort(t.db, { weeks: 0, name: 'autumn' });
    await makeCohort(t.db, { weeks: 1, name: 'spring' });
    expect(await renderReport(t.db, content, 'sprng', null, at(1))).toEqual({ ok: false, code: 1, message: 'No cohort is named "sprng". Cohorts: autumn, spring.' });
    expect(await renderReport(t.db, content, 'spring', 9, at(1))).toMatchObject({ ok: false, code: 2, message: expect.stringContaining('Mini program has 5 weeks; --week 9 is past its end.') });
    expect(await renderReport(t.db, content, 'autumn', null, at(1))).toEqual({ ok: false, code: 1, message: 'autumn has had no round yet; give a week with --week N to draw the empty grid.' });
  });
});
