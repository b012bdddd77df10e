import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
const DAYTIME = '2026-03-02T08:00:00Z';
let e: TestEngine;

describe('FAQ replies in chat', () => {
  beforeAll(async () => {
    e = await testEngine(t.db, '2026-03-02T07:00:00Z');
    await e.run(e.as('olga', { admin: true }), '/cohort create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await e.run(e.as('maria'), '/cohort join');
    await e.run(e.as('olga', { admin: true }), '/cohort mentor @dana');
  });

  it('answers privately with sources, feedback buttons and related questions', async () => {
    const reply = await e.run(e.as('maria'), '/faq how long does the switch to MLE take?');
    expect(reply.kind === 'message' && reply.message.private).toBe(true);
    expect(textOf(reply)).toMatch(/^\*\*How long does the move from data scientist to ML engineer take\?\*\*/);
    expect(textOf(reply)).toContain('_Sources:_ ');
    const labels = reply.kind === 'message' ? reply.message.buttons!.map((b) => b.label) : [];
    expect(labels.slice(0, 3)).toEqual(['Helpful', 'Not helpful', 'More']);
    expect(labels.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps a chat answer skimmable: the opening, then More for the whole of it; labels stay short', async () => {
    const reply = await e.run(e.as('maria'), '/faq how long does the switch to MLE take?');
    const text = textOf(reply);
    expect(text.length).toBeLessThan(700);
    expect(text).toContain('Our sources disagree, so plan with a range rather than a single number.');
    expect(text).not.toContain('CalTek');
    expect(text).toMatch(/_Sources:_ .+ and \d+ more$/);
    const buttons = reply.kind === 'message' ? reply.message.buttons! : [];
    for (const b of buttons) expect(b.label.length).toBeLessThanOrEqual(40);
    expect(buttons.find((b) => b.label.startsWith('What does a month-by-month plan'))!.label).toMatch(/\w…$/);
    const more = await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.show', buttons.find((b) => b.label === 'More')!.value);
    expect(textOf(more)).toContain('CalTek Staffing, a recruiter, is the most conservative');
    expect(textOf(more)).toMatch(/_Sources:_ .+; .+; .+/);
    expect(more.kind === 'message' && more.message.buttons!.map((b) => b.label)).not.toContain('More');
  });

  it('tells the mentor the FAQ answer did not help, when that is why they were asked', async () => {
    const reply = await e.run(e.as('maria'), '/faq do I need a CS degree?');
    const logId = reply.kind === 'message' ? reply.message.buttons!.find((b) => b.label === 'Not helpful')!.value : '';
    const thanks = await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.unhelpful', logId);
    const ask = thanks.kind === 'message' ? thanks.message.buttons!.find((b) => b.label === 'Ask a mentor')! : undefined;
    await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.ping-mentor', ask!.value);
    // DMs the bot starts wait for the reader's day: 09:00 in Berlin.
    await e.at(DAYTIME);
    const dm = e.port.dmsTo('dana').at(-1)!.message.text;
    expect(dm).toMatch(/^maria in \*\*Spring\*\* asked a question; the FAQ answered it, but not helpfully:\n> do I need a CS degree\?\nThey marked this answer not helpful: \*\*.+\*\*/);
    expect(dm).not.toContain('could not answer');
  });

  it('says honestly when there is no curated answer, logs it, and lets a mentor pick it up', async () => {
    const reply = await e.run(e.as('maria'), '/faq best pizza in Rome');
    expect(textOf(reply)).toMatch(/^I don't have a curated answer for that yet/);
    const ping = reply.kind === 'message' ? reply.message.buttons!.find((b) => b.action === 'faq.ping-mentor') : undefined;
    expect(ping).toBeDefined();
    const logged = await t.db.selectFrom('faq_questions').selectAll().where('question', '=', 'best pizza in Rome').executeTakeFirstOrThrow();
    expect(logged).toMatchObject({ answered: false, via: 'command', user_id: 'maria' });
    const pinged = await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.ping-mentor', ping!.value);
    expect(textOf(pinged)).toBe("I've passed your question to your mentor.");
    await e.at(DAYTIME);
    expect(e.port.dmsTo('dana').at(-1)!.message.text).toContain('> best pizza in Rome');
  });

  it('records Helpful / Not helpful against the logged question', async () => {
    const reply = await e.run(e.as('maria'), '/faq do I need a CS degree?');
    const notHelpful = reply.kind === 'message' ? reply.message.buttons!.find((b) => b.label === 'Not helpful')! : undefined;
    expect(textOf(await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.unhelpful', notHelpful!.value))).toMatch(/^Thanks for telling me/);
    const row = await t.db.selectFrom('faq_questions').select(['feedback']).where('id', '=', Number(notHelpful!.value)).executeTakeFirstOrThrow();
    expect(row.feedback).toBe('not_helpful');
    expect(textOf(await e.core.action(e.as('maria'), { channelId: 'C-spring' }, 'faq.helpful', '999999'))).toBe('I could not find that question any more; nothing was recorded.');
  });

  it('answers a mention publicly, without the mention itself', async () => {
    const reply = await e.core.mention(e.as('maria'), { channelId: 'C-spring' }, '<@U0BOT> should I learn kubernetes or docker first?');
    expect(reply.kind === 'message' && reply.message.private).toBe(false);
    expect(textOf(reply)).toMatch(/Kubernetes or Docker first/i);
    const empty = await e.core.mention(e.as('maria'), { channelId: 'C-spring' }, '<@U0BOT>');
    expect(textOf(empty)).toMatch(/^Ask me a question after the mention/);
  });
});
