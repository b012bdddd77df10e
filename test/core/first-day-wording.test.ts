import { beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, tokenize } from '../../src/core/commands.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
let e: TestEngine;
const olga = () => e.as('olga', { admin: true });

describe('what a new organizer reads', () => {
  beforeAll(async () => {
    e = await testEngine(t.db, '2026-03-02T07:00:00Z');
    await e.run(olga(), '/cohort create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await e.run(e.as('maria'), '/cohort join');
    await e.run(olga(), '/cohort mentor @dana');
    await e.at('2026-03-02T08:00:00Z');
  });

  it('names the organizers of a Discord server, and of a Slack workspace', async () => {
    const refusal = (platform: 'discord' | 'slack') => e.core.command({ ...e.as('maria'), platform }, { channelId: 'C-x' }, { name: 'cohort.pause' });
    expect(textOf(await refusal('discord'))).toContain('Ask an organizer of this server.');
    expect(textOf(await refusal('slack'))).toContain('Ask an organizer of this workspace.');
  });

  it('offers milestones in the form by name, with the week they are due', async () => {
    const form = await e.run(e.as('maria'), '/checkin');
    const options = form.kind === 'form' ? form.form.fields.find((f) => f.id === 'milestones')!.options! : [];
    expect(options[0]).toEqual({ value: 'production-code', label: 'Production code baseline (due week 4)' });
  });

  it('asks once what the blocker is when /checkin blocked names none', async () => {
    const reply = await e.run(e.as('maria'), '/checkin blocked');
    expect(textOf(reply)).toMatch(/^Recorded: \*\*Blocked\*\* for week 1/);
    expect(textOf(reply)).toContain('What is blocking you? Tell me with `/checkin blocked <what blocks you>`');
    const button = reply.kind === 'message' ? reply.message.buttons!.find((b) => b.label === 'Describe the blocker') : undefined;
    expect(button?.action).toBe('checkin.details');
    const named = await e.run(e.as('maria'), '/checkin blocked docker networking');
    expect(textOf(named)).not.toContain('What is blocking you?');
  });

  it('names the person /progress could not show', async () => {
    expect(textOf(await e.run(e.as('dana'), '/progress @nobody'))).toBe('@nobody is not a learner in any cohort you mentor.');
  });

  it('words the removal of a mentor for a mentor', async () => {
    await e.run(olga(), '/cohort mentor @ana');
    const removed = await e.run(olga(), '/cohort remove @ana');
    expect(textOf(removed)).toBe('@ana is no longer a mentor of **Spring**; stall alerts and the weekly digest go to the other mentors.');
    await e.run(olga(), '/cohort add @ben');
    expect(textOf(await e.run(olga(), '/cohort remove @ben'))).toBe('@ben was removed from **Spring**. Their past check-ins are kept.');
  });
});

describe('quoted values', () => {
  it('take backslash-escaped quotes', () => {
    expect(tokenize('name:"He said \\"hi\\"" tz:Europe/Berlin')).toEqual(['name:He said "hi"', 'tz:Europe/Berlin']);
    const cmd = parseCommand('cohort', 'create name:"He said \\"hi\\"" program:p start:2026-03-02 day:mon time:09:00 tz:UTC');
    expect(cmd).toMatchObject({ name: 'cohort.create', cohortName: 'He said "hi"' });
  });
});
