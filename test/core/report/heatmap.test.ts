import { beforeEach, describe, expect, it } from 'vitest';
import type { CellState, HeatmapData } from '../../../src/core/report/heatmap.js';
import { loadHeatmap, placeSkipped } from '../../../src/core/report/load-heatmap.js';
import { useTestDb } from '../../helpers/db.js';
import { addMember, addRound, answer, at, complete, content, makeCohort, program } from '../stalls/fixtures.js';

const t = useTestDb();

const LETTER: Record<CellState, string> = {
  'on-track': 'O',
  done: 'D',
  behind: 'B',
  blocked: 'X',
  missed: 'M',
  open: '?',
  away: 'A',
  left: 'L',
  'not-run': 'N',
  skipped: 'S',
  'not-member': '-',
  upcoming: '.',
};

/** Each learner's row as letters, `*` after a late answer and `+` after a verified week. */
function rows(data: HeatmapData): Record<string, string> {
  return Object.fromEntries(
    data.rows.map((r) => [r.name, r.cells.map((c) => `${LETTER[c.state]}${c.late ? '*' : ''}${c.verified ? '+' : ''}`).join(' ')]),
  );
}

/**
 * Five-week program. Weeks 1, 2 and 4 posted, week 3 not run (the bot was down), a holiday on
 * 20 March between weeks 3 and 4. Maria answers late in week 2 and misses week 4; Ben verified
 * week 1; Chen joined in week 4; Dee was away in week 2.
 */
async function spring() {
  const cohort = await makeCohort(t.db, { weeks: 4 });
  await t.db.updateTable('rounds').set({ state: 'not-run' }).where('week', '=', 3).execute();
  await t.db.insertInto('skipped_dates').values({ cohort_id: cohort.id, date: '2026-03-20' }).execute();
  await addMember(t.db, cohort.id, 'Ana', 'mentor');
  const maria = await addMember(t.db, cohort.id, 'Maria');
  const ben = await addMember(t.db, cohort.id, 'Ben');
  const chen = await addMember(t.db, cohort.id, 'Chen', 'learner', { joinedAt: at(4, -10) });
  const dee = await addMember(t.db, cohort.id, 'Dee');
  await answer(t.db, cohort, maria, 1, 'on-track', 4);
  await answer(t.db, cohort, maria, 2, 'blocked', 2, { late: true });
  await answer(t.db, cohort, ben, 1, 'done', 5);
  await answer(t.db, cohort, ben, 2, 'on-track', null);
  await answer(t.db, cohort, ben, 4, 'behind', 3);
  await answer(t.db, cohort, chen, 4, 'done', 4);
  await answer(t.db, cohort, dee, 1, 'on-track', 4);
  await t.db.insertInto('away_periods').values({ member_id: dee, starts_on: '2026-03-09', ends_on: '2026-03-16', created_at: at(1) }).execute();
  await complete(t.db, ben, 'package');
  await t.db
    .insertInto('stall_flags')
    .values({ member_id: maria, cohort_id: cohort.id, reasons: JSON.stringify([]), opened_at: at(4, 30) })
    .execute();
  const row = await t.db.selectFrom('cohorts').selectAll().where('id', '=', cohort.id).executeTakeFirstOrThrow();
  return { cohort, row, ben, maria };
}

describe('the heatmap of a cohort, from the database', () => {
  beforeEach(() => t.reset());

  it('shows every answer, the weeks not run, skipped and to come, late answers, verified weeks, flags and confidence', async () => {
    const { row, ben } = await spring();
    const data = (await loadHeatmap(t.db, content, row, 4, at(4, 100), { verifiedWeeks: new Map([[ben, new Set([1])]]) }))!;
    expect(data.columns).toEqual([
      { kind: 'week', week: 1, date: '2026-03-02' },
      { kind: 'week', week: 2, date: '2026-03-09' },
      { kind: 'week', week: 3, date: '2026-03-16' },
      { kind: 'skipped', date: '2026-03-20' },
      { kind: 'week', week: 4, date: '2026-03-23' },
      { kind: 'week', week: 5, date: '2026-03-30' },
    ]);
    // Week 4 is still open (week 5 not posted), so nobody has missed it yet: not answered yet.
    expect(rows(data)).toEqual({
      Maria: 'O X* N S ? .',
      Ben: 'D+ O N S B .',
      Chen: '- - N S D .',
      Dee: 'O A N S ? .',
    });
    const maria = data.rows.find((r) => r.name === 'Maria')!;
    expect(maria.openFlags).toBe(1);
    expect(maria.confidence).toEqual([4, 2]);
    expect(data.rows.find((r) => r.name === 'Ben')!).toMatchObject({ openFlags: 0, confidence: [5, null, 3], milestonesDone: 1 });
    expect(data).toMatchObject({ cohortName: 'spring', programTitle: 'Mini program', week: 4, weeks: 5, date: '2026-03-27', milestoneCount: 3 });
  });

  it('marks the week in which linked work verified a milestone, by default', async () => {
    const { row, ben, maria } = await spring();
    const checked = { ...content, programs: new Map([[program.id, { ...program, milestones: program.milestones.map((m) => (m.id === 'package' ? { ...m, evidence: [{ type: 'github.repo' as const }] } : m)) }]]) };
    // Verified during week 2; a link of Maria's failed its check.
    await t.db
      .insertInto('evidence_links')
      .values([
        { member_id: ben, milestone_id: 'package', url: 'https://github.com/ben/pkg', kind: 'repo', owner: 'ben', repo: 'pkg', state: 'verified', results: JSON.stringify([{ index: 0, type: 'github.repo', ok: true, detail: 'public' }]), checked_at: at(2, 5), verified_at: at(2, 5), last_commit_at: null, check_due_at: null, claimed_until: null, retry_reason: null, created_at: at(2, 4) },
        { member_id: maria, milestone_id: 'package', url: 'https://github.com/maria/pkg', kind: 'repo', owner: 'maria', repo: 'pkg', state: 'not-verified', results: JSON.stringify([{ index: 0, type: 'github.repo', ok: false, detail: 'missing' }]), checked_at: at(2, 5), verified_at: null, last_commit_at: null, check_due_at: null, claimed_until: null, retry_reason: null, created_at: at(2, 4) },
      ])
      .execute();
    const data = (await loadHeatmap(t.db, checked, row, 4, at(4, 100)))!;
    expect(rows(data).Ben).toBe('D O+ N S B .');
    expect(rows(data).Maria).toBe('O X* N S ? .');
  });

  it('counts an unanswered week as missed once the next round has opened', async () => {
    const { cohort, row } = await spring();
    await addRound(t.db, cohort, 5);
    const data = (await loadHeatmap(t.db, content, row, 5, at(5, 1)))!;
    expect(rows(data)).toEqual({
      Maria: 'O X* N S M ?',
      Ben: 'D O N S B ?',
      Chen: '- - N S D ?',
      Dee: 'O A N S M ?',
    });
  });

  it('describes an earlier week as it was: later answers are not shown', async () => {
    const { row } = await spring();
    const data = (await loadHeatmap(t.db, content, row, 1, at(4, 100)))!;
    expect(rows(data).Ben).toBe('D . . S . .');
  });

  it('draws a holiday still to come among the weeks to come, where it falls', async () => {
    const cohort = await makeCohort(t.db, { weeks: 2 });
    await addMember(t.db, cohort.id, 'Maria');
    await t.db.insertInto('skipped_dates').values({ cohort_id: cohort.id, date: '2026-03-23' }).execute();
    const row = await t.db.selectFrom('cohorts').selectAll().where('id', '=', cohort.id).executeTakeFirstOrThrow();
    const data = (await loadHeatmap(t.db, content, row, 2, at(2, 100)))!;
    expect(data.columns.map((c) => (c.kind === 'week' ? `w${c.week} ${c.date}` : `skipped ${c.date}`))).toEqual([
      'w1 2026-03-02',
      'w2 2026-03-09',
      'w3 2026-03-16',
      'skipped 2026-03-23',
      'w4 2026-03-30',
      'w5 2026-04-06',
    ]);
  });

  it('puts a skipped date where it fell, or after the last dated week', () => {
    const weeks = [
      { kind: 'week' as const, week: 1, date: '2026-03-02' },
      { kind: 'week' as const, week: 2, date: '2026-03-09' },
      { kind: 'week' as const, week: 3, date: null },
    ];
    expect(placeSkipped(weeks, ['2026-04-01', '2026-03-05']).map((c) => (c.kind === 'week' ? c.week : c.date))).toEqual([1, '2026-03-05', 2, '2026-04-01', 3]);
  });
});
