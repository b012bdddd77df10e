import { beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/chat.js';
import { aliasCandidates, mentorAnswerDrafts } from '../../src/core/faq/mentor-answers.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
const DAYTIME = '2026-03-02T08:00:00Z';
let e: TestEngine;
const place = { channelId: 'C-spring' };
const button = (reply: Reply, action: string) => (reply.kind === 'message' ? reply.message.buttons?.find((b) => b.action === action) : undefined);

describe('the FAQ learns from mentors', () => {
  beforeAll(async () => {
    e = await testEngine(t.db, '2026-03-02T07:00:00Z');
    await e.run(e.as('olga', { admin: true }), '/cohort create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await e.run(e.as('maria'), '/cohort join');
    await e.run(e.as('olga', { admin: true }), '/cohort mentor @dana');
  });

  it('sends a mentor the question with an Answer form; the learner gets the answer by DM, and the next asker gets it too', async () => {
    const reply = await e.run(e.as('maria'), '/faq how do I negotiate stock options at a startup');
    expect(textOf(reply)).toMatch(/^I don't have a curated answer/);
    await e.core.action(e.as('maria'), place, 'faq.ping-mentor', button(reply, 'faq.ping-mentor')!.value);
    // DMs the bot starts wait for the reader's day: 09:00 in Berlin.
    await e.at(DAYTIME);
    const dm = e.port.dmsTo('dana').at(-1)!.message;
    expect(dm.text).toContain('> how do I negotiate stock options at a startup');
    const answer = dm.buttons!.find((b) => b.label === 'Answer')!;

    expect(textOf(await e.core.action(e.as('maria'), place, 'faq.answer', answer.value))).toBe("Only a mentor of the learner's cohort can answer this question.");
    const form = await e.core.action(e.as('dana'), place, 'faq.answer', answer.value);
    expect(form.kind).toBe('form');
    const state = form.kind === 'form' ? form.form.state : '';
    expect((await e.core.submitForm(e.as('dana'), place, 'faq-answer', state, { answer: '  ' })).kind).toBe('form-errors');
    const sent = await e.core.submitForm(e.as('dana'), place, 'faq-answer', state, { answer: 'Ask for the strike price, the vesting schedule and the last valuation.' });
    expect(textOf(sent)).toBe('Sent, and stored: the next learner who asks this gets your answer too.');
    await e.at(DAYTIME);
    expect(e.port.dmsTo('maria').at(-1)!.message.text).toBe(
      '**dana** answered your question:\n> how do I negotiate stock options at a startup\n\nAsk for the strike price, the vesting schedule and the last valuation.',
    );

    const again = await e.run(e.as('lee'), '/faq How do I negotiate stock options at a startup?');
    expect(textOf(again)).toMatch(/^_Answered by a mentor, not yet curated_ \(dana, 2026-03-02\)\n/);
    expect(textOf(again)).toContain('strike price');

    const [draft] = await mentorAnswerDrafts(t.db);
    expect(draft).toMatchObject({ phrasings: ['how do I negotiate stock options at a startup'], mentorName: 'dana' });

    // Pressing Answer again changes the answer, knowingly: the form holds it, and the learner is told it changed.
    const reopened = await e.core.action(e.as('dana'), place, 'faq.answer', answer.value);
    if (reopened.kind !== 'form') throw new Error('expected the form');
    expect(reopened.form.title).toBe('Change the answer');
    expect(reopened.form.fields[0]).toMatchObject({ label: 'dana answered on 2026-03-02; change it?', initial: 'Ask for the strike price, the vesting schedule and the last valuation.' });
    const same = await e.core.submitForm(e.as('dana'), place, 'faq-answer', state, { answer: 'Ask for the strike price, the vesting schedule and the last valuation.' });
    expect(textOf(same)).toBe('dana already sent that answer on 2026-03-02; nothing changed.');
    const changed = await e.core.submitForm(e.as('dana'), place, 'faq-answer', state, { answer: 'Ask for the strike price, the vesting schedule, the last valuation and the exercise window.' });
    expect(textOf(changed)).toBe('Changed, and sent: the learner gets your new answer, and so does the next learner who asks this.');
    await e.at(DAYTIME);
    expect(e.port.dmsTo('maria').at(-1)!.message.text).toMatch(/^\*\*dana\*\* changed the answer to your question \(it replaces the one from dana\):/);
    expect(textOf(await e.run(e.as('lee'), '/faq How do I negotiate stock options at a startup?'))).toContain('exercise window');
  });

  it('tells the mentor which entry the learner found unhelpful', async () => {
    const reply = await e.run(e.as('maria'), '/faq do I need a CS degree?');
    const logId = button(reply, 'faq.unhelpful')!.value;
    await e.core.action(e.as('maria'), place, 'faq.unhelpful', logId);
    await e.core.action(e.as('maria'), place, 'faq.ping-mentor', logId);
    await e.at(DAYTIME);
    expect(e.port.dmsTo('dana').at(-1)!.message.text).toMatch(/They marked this answer not helpful: \*\*.*degree/i);
  });

  it('keeps a "did you mean" choice as an alias candidate for the chosen entry', async () => {
    const reply = await e.run(e.as('maria'), '/faq drop');
    const choice = button(reply, 'faq.show')!;
    const [id] = choice.value.split(':');
    const shown = await e.core.action(e.as('maria'), place, 'faq.show', choice.value);
    expect(textOf(shown)).toMatch(/^\*\*/);
    expect(await aliasCandidates(t.db)).toEqual([{ entryId: id, phrasing: 'drop', chosen: 1 }]);
  });
});
