import { beforeEach, describe, expect, it } from 'vitest';
import { cohortStatusView, progressView } from '../../src/core/progress.js';
import { useTestDb } from '../helpers/db.js';
import { addMember, answer, at, complete, content, makeCohort } from './stalls/fixtures.js';

const t = useTestDb();
const now = at(4, 30);
const FLAG_REASON = 'behind schedule by 1 milestone: Serve predictions (due week 3) not done yet';

/** spring, weeks 1-4: Maria is one milestone behind with an open flag; Ben is on schedule; Chen has not answered; Dee is away. */
async function spring() {
  const cohort = await makeCohort(t.db, { weeks: 4 });
  await addMember(t.db, cohort.id, 'Ana', 'mentor');
  const maria = await addMember(t.db, cohort.id, 'Maria');
  const ben = await addMember(t.db, cohort.id, 'Ben');
  const chen = await addMember(t.db, cohort.id, 'Chen');
  const dee = await addMember(t.db, cohort.id, 'Dee', 'learner', { awayUntil: '2026-05-01', awayFrom: '2026-03-20' });
  await answer(t.db, cohort, maria, 1, 'on-track', 4, { note: 'Set up the repo' });
  await answer(t.db, cohort, maria, 2, 'blocked', 2, { blocker: 'Docker build fails' });
  await answer(t.db, cohort, maria, 4, 'behind', 3, { late: true, blocker: 'Waiting for cloud credits' });
  await complete(t.db, maria, 'package');
  for (const week of [1, 2, 3, 4]) await answer(t.db, cohort, ben, week, 'on-track', 4, { blocker: 'Ben’s private blocker', note: 'Ben’s private note' });
  await complete(t.db, ben, 'package');
  await complete(t.db, ben, 'serve');
  await t.db
    .insertInto('stall_flags')
    .values({ member_id: maria, cohort_id: cohort.id, reasons: JSON.stringify([{ code: 'behind-schedule', text: FLAG_REASON }]), mentor_member_id: null, opened_at: now })
    .execute();
  return { cohort, maria, ben, chen, dee };
}

describe('progressView', () => {
  beforeEach(() => t.reset());

  it('shows milestones with their weeks, the schedule, the last three check-ins and the open flag', async () => {
    const { cohort, maria } = await spring();
    const view = await progressView(t.db, content, { cohortId: cohort.id, memberId: maria }, now);
    expect(view.private).toBe(true);
    expect(view.text).toBe(
      [
        '**Maria’s progress** · spring · Mini program · week 4 of 5',
        '',
        'Maria is 1 milestone behind schedule.',
        'Next milestone: **Serve predictions** (due week 3).',
        '',
        '**Milestones** (1 of 3 done)',
        '✅ Package the model: due week 2, done',
        '⬜ Serve predictions: due week 3, overdue',
        '⬜ Monitor drift: due week 5',
        '',
        '**Recent check-ins**',
        '• Week 4 · behind · confidence 3/5 · late · blocker: “Waiting for cloud credits”',
        '• Week 2 · blocked · confidence 2/5 · blocker: “Docker build fails”',
        '• Week 1 · on track · confidence 4/5 · note: “Set up the repo”',
        '',
        '**Open stall flag**',
        'Raised with the mentors, not yet acknowledged:',
        `• ${FLAG_REASON}`,
      ].join('\n'),
    );
  });

  it('speaks to the learner when they look at their own progress', async () => {
    const { cohort, maria } = await spring();
    const view = await progressView(t.db, content, { cohortId: cohort.id, memberId: maria, self: true }, now);
    expect(view.text).toMatch(/^\*\*Your progress\*\* · spring/);
    expect(view.text).toContain('\nYou are 1 milestone behind schedule.\n');
  });

  it('never shows another learner’s answers', async () => {
    const { cohort, maria } = await spring();
    const view = await progressView(t.db, content, { cohortId: cohort.id, memberId: maria }, now);
    expect(view.text).not.toContain('Ben');
  });

  it('says on schedule, shows no flag section without one, and notes an away learner', async () => {
    const { cohort, ben, dee } = await spring();
    const view = await progressView(t.db, content, { cohortId: cohort.id, memberId: ben }, now);
    expect(view.text).toContain('\nBen is on schedule.\n');
    expect(view.text).toContain('✅ Serve predictions: due week 3, done');
    expect(view.text).not.toContain('stall flag');
    const away = await progressView(t.db, content, { cohortId: cohort.id, memberId: dee }, now);
    expect(away.text).toContain('Away until Fri 1 May 2026: no reminders or stall flags until then.');
    expect(away.text).toContain('**Recent check-ins**\nNo check-in yet.');
  });

  it('before the first round there is nothing to be behind on', async () => {
    const cohort = await makeCohort(t.db, { weeks: 0 });
    const learner = await addMember(t.db, cohort.id, 'Eve');
    const view = await progressView(t.db, content, { cohortId: cohort.id, memberId: learner }, at(1, -48));
    expect(view.text).toMatch(/^\*\*Eve’s progress\*\* · spring · Mini program · no check-in posted yet \(starts Mon 2 Mar 2026\)\n/);
    expect(view.text).toContain('Eve is on schedule: the program has not started yet.');
  });

  it('refuses a member of another cohort', async () => {
    const { maria } = await spring();
    const other = await makeCohort(t.db, { name: 'autumn', weeks: 1 });
    expect((await progressView(t.db, content, { cohortId: other.id, memberId: maria }, now)).text).toBe('That person is not a member of this cohort.');
  });
});

describe('cohortStatusView', () => {
  beforeEach(() => t.reset());

  it('shows this week’s answers, who has not answered, who is away and the open flags', async () => {
    const { cohort } = await spring();
    const view = await cohortStatusView(t.db, content, cohort.id, now);
    expect(view.private).toBe(true);
    expect(view.text).toBe(
      [
        '**spring · week 4: Monitor drift**',
        'Posted Mon 23 Mar 2026, 09:00 (Europe/Berlin). 2 of 3 checked in (1 more is away). Open until Mon 30 Mar 2026, 09:00 (Europe/Berlin).',
        '',
        '**Checked in (2)**',
        '• Ben: on track · confidence 4/5 · blocker: “Ben’s private blocker”',
        '• Maria: behind · confidence 3/5 · late · blocker: “Waiting for cloud credits”',
        '',
        '**Not checked in yet (1)**',
        'Chen',
        '',
        '**Away:** Dee (until Fri 1 May 2026)',
        '',
        '**Open stall flags (1)**',
        `• Maria (not yet acknowledged): ${FLAG_REASON}`,
      ].join('\n'),
    );
  });

  it('says when no round has been posted and when the cohort is paused', async () => {
    const cohort = await makeCohort(t.db, { weeks: 0, status: 'paused' });
    await addMember(t.db, cohort.id, 'Eve');
    expect((await cohortStatusView(t.db, content, cohort.id, now)).text).toBe(
      ['**spring**', 'No check-in has been posted in this cohort yet.', '_This cohort is paused._', '', '**Open stall flags (0)**', 'None.'].join('\n'),
    );
  });
});
