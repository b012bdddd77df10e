import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
let e: TestEngine;

describe('FAQ questions about the live cohort', () => {
  beforeAll(async () => {
    e = await testEngine(t.db, '2026-03-02T07:00:00Z');
    await e.run(e.as('olga', { admin: true }), '/cohort create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await e.run(e.as('maria'), '/cohort join');
    await e.run(e.as('olga', { admin: true }), '/cohort mentor @dana');
    await e.run(e.as('olga', { admin: true }), '/cohort skip 2026-03-16');
  });

  const ask = async (question: string) => textOf(await e.run(e.as('maria'), `/faq ${question}`));

  it('gives the next check-in with day, time and zone, before the first round and after it', async () => {
    for (const q of ['when is the next check-in?', 'what day is our checkin', 'when do check-ins happen?']) {
      expect(await ask(q)).toBe('The next check-in of **Spring** (week 1, Production code baseline) opens Mon 2 Mar 2026, 09:00 Europe/Berlin. Check-ins are every Monday at 09:00 Europe/Berlin.');
    }
    await e.at('2026-03-02T08:05:00Z');
    // 16 March is skipped, so week 2 is on the 9th and week 3 on the 23rd.
    expect(await ask('next check in?')).toMatch(/^The next check-in of \*\*Spring\*\* \(week 2, Production code baseline\) opens Mon 9 Mar 2026, 09:00 Europe\/Berlin\./);
  });

  it("gives this week's milestone and its done-when", async () => {
    const text = await ask("what's this week's milestone?");
    expect(text).toMatch(/^Week 1 of 24 in \*\*Spring\*\*: \*\*Production code baseline\*\* \(weeks 1–4\)\./);
    expect(text).toContain('_Done when:_ A colleague clones the repository');
    expect(await ask('what should I be working on this week')).toBe(text);
  });

  it('says a paused cohort is paused, and what its dates assume', async () => {
    await e.run(e.as('olga', { admin: true }), '/cohort pause');
    try {
      expect(await ask('what do I have to do this week')).toMatch(/\nCheck-ins are paused for now\.$/);
      expect(await ask('when is the next check-in?')).toMatch(/Check-ins are paused for now; that date assumes an organizer resumes them\.$/);
    } finally {
      await e.run(e.as('olga', { admin: true }), '/cohort resume');
    }
  });

  it('lists the milestones with their weeks', async () => {
    const text = await ask('what are the milestones?');
    expect(text).toMatch(/^The milestones of \*\*Data scientist to ML engineer\*\* \(24 weeks\):\n1\. \*\*Production code baseline\*\* \(weeks 1–4\): done when /);
    expect(text.split('\n')).toHaveLength(8);
  });

  it('says when the program ends, counting the skipped week', async () => {
    const ends = '**Spring** runs 24 weeks: its last check-in (week 24) opens Mon 17 Aug 2026, 09:00 Europe/Berlin, and the program ends with that week. It is in week 1; 23 more check-ins to come.';
    expect(await ask('when does the program end?')).toBe(ends);
    expect(await ask('how many weeks are left?')).toBe(ends);
  });

  it('names the mentors and shows where the learner stands, privately', async () => {
    expect(await ask('who are my mentors?')).toBe('Your mentor in **Spring**: dana.');
    const reply = await e.core.mention(e.as('maria'), { channelId: 'C-spring' }, '<@U0BOT> where do I stand?');
    expect(reply.kind === 'message' && reply.message.private).toBe(true);
    expect(textOf(reply)).toContain('**Milestones** (0 of 7 done)');
  });

  it('answers someone in no cohort about the program itself, from the program, in the channel and elsewhere', async () => {
    for (const channelId of ['C-spring', 'D-nobody']) {
      const reply = await e.run(e.as('nobody'), '/faq what are the milestones', channelId);
      const text = textOf(reply);
      expect(text).toMatch(/^The milestones of \*\*Data scientist to ML engineer\*\* \(24 weeks\):\n1\. \*\*Production code baseline\*\* \(weeks 1–4\): done when /);
      expect(text).toContain('\n7. **Portfolio and job search** (weeks 22–24): done when ');
      expect(text).toMatch(/\n\nYou're not in a cohort yet: type `\/cohort join` in a cohort's channel/);
      expect(reply.kind === 'message' && reply.message.private).toBe(true);
    }
    expect(textOf(await e.run(e.as('nobody'), '/faq when does the program end?'))).toMatch(
      /^\*\*Data scientist to ML engineer\*\* runs 24 weeks; when it ends depends on when your cohort starts and on its skipped weeks\.\n\nYou're not in a cohort yet/,
    );
  });

  it('tells someone outside a cohort how to join, and leaves other questions to the FAQ', async () => {
    expect(textOf(await e.run(e.as('nobody'), '/faq when is the next check-in?'))).toMatch(/^You're not in a cohort.*`\/cohort join`/);
    expect(await ask('how do check-ins work?')).not.toMatch(/^The next check-in/);
    expect(await ask('how long does the switch to MLE take?')).toMatch(/^\*\*How long does the move/);
  });
});
