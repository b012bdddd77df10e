import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import { createCore } from '../../../src/core/create-core.js';
import { createScheduler } from '../../../src/jobs/scheduler.js';
import { createLogger } from '../../../src/log.js';
import { LocalChat } from '../../../src/platforms/local/port.js';
import { buttonsFile } from '../../../src/platforms/local/saved-buttons.js';
import { clockFile, restoreClock } from '../../../src/platforms/local/saved-clock.js';
import { parseClockShift, Terminal } from '../../../src/platforms/local/terminal.js';
import { useTestDb } from '../../helpers/db.js';
import { terminalSession } from '../../helpers/terminal-session.js';
import { realContent } from '../../helpers/engine.js';

const t = useTestDb();

const session = (lines: string[], opts: { clock?: Clock; clockFile?: string; buttonsFile?: string } = {}) => terminalSession(t.db, lines, opts);

describe('terminal mode', () => {
  it('runs a cohort by hand: create, join, move the clock, click a button, fill the form', async () => {
    const out = await session([
      '/cohort create name:Hands-on program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as maria',
      '/cohort join',
      '/clock +3h',
      'click 1',
      '/checkin',
      'blocked',
      '',
      '2',
      'docker networking',
      '',
      '',
      '/as organizer',
      '/cohort status',
      '/quit',
    ]);
    expect(out).toContain('Cohort Hands-on is set up in this channel');
    expect(out).toContain('You are now @maria.');
    expect(out).toContain('── #cohort ──');
    expect(out).toContain('Week 1 of 24');
    expect(out).toContain('[1] On track  [2] Behind  [3] Blocked  [4] Done  [5] Details…');
    expect(out).toContain('Recorded: On track for week 1');
    expect(out).toContain('Updated: Blocked for week 1');
    expect(out).toMatch(/maria: blocked · confidence 2\/5/);
  });

  it('explains bad input instead of failing', async () => {
    const out = await session(['/clock soon', 'click', 'click 99', '/frobnicate', '/checkin great', 'hello']);
    expect(out).toContain('Usage: /clock +7d · +3h · +30m · 2026-03-02T09:00');
    expect(out).toContain('There is no button [99].');
    expect(out).not.toContain('There is no button []');
    expect(out).toContain('/frobnicate is not a command here. Type /help.');
    expect(out).toContain('"great" is not a status. Use on-track, behind, blocked or done.');
    expect(out).toContain('Messages to the channel are not read');
    expect(out).toContain('Say which button: click <n>, e.g. click 3.');
  });

  it('takes status: and blocker:"…" as the words they name, and sends a rating to the form instead of keeping it as a note', async () => {
    const out = await session([
      '/in options',
      '/cohort create name:Options program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as maria',
      '/cohort join',
      '/clock +3h',
      '/checkin on-track confidence:4',
      '/checkin behind milestones:ci-cd',
      '/checkin status:blocked blocker:"the GPU quota"',
      '/as organizer',
      '/cohort status',
      '/quit',
    ]);
    expect(out).toContain('A quick check-in takes a status and a note; "confidence:4" goes in the form: type `/checkin` alone to open it.');
    expect(out).toContain('"milestones:ci-cd" goes in the form');
    expect(out).toContain('Recorded: Blocked for week 1');
    // The blocker reads as written, without the option's name and quotes around it.
    expect(out).toContain('maria: blocked · blocker: “the GPU quota”');
  });

  it('ignores " # comments", so the README block pastes as written', async () => {
    const out = await session([
      '# a whole-line comment',
      '/in commented   # a channel of its own',
      '/cohort create name:"Spring # 1" program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin   # quoted # stays',
      '/as @rosa    # with or without the @',
      '/cohort join',
      '/clock +3h    # the round opens',
      'click 1       # On track',
      '/in #cohort',
      '/quit',
    ]);
    expect(out).toContain('Cohort Spring # 1 is set up in this channel');
    expect(out).toContain('You are now @rosa.');
    expect(out).toContain('Recorded: On track for week 1');
    expect(out).toContain('You are now in #cohort.');
    expect(out).not.toContain('is not a command here');
    expect(out).not.toContain('Messages to the channel are not read');
  });

  it('checks each form field as it is typed, asks again, and /cancel leaves the form', async () => {
    const out = await session([
      '/in formed',
      '/cohort create name:Formed program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as fred',
      '/cohort join',
      '/clock +3h',
      '/checkin',
      'stuck',
      'blocked',
      'not-a-milestone',
      '',
      '9',
      '2',
      '/cancel',
      '/progress',
      '/quit',
    ]);
    expect(out).toContain('"stuck" is not one of on-track, behind, blocked, done.');
    expect(out).toContain('"not-a-milestone" is not offered; choose from production-code');
    expect(out).toContain('"9" is not one of 1, 2, 3, 4, 5.');
    expect(out).toContain('Form cancelled; nothing was saved.');
    expect(out).not.toContain('Recorded:');
  });

  it('/as and /quit leave a form and do what they say; /clock never moves back', async () => {
    const out = await session([
      '/in leaving',
      '/cohort create name:Leaving program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as lena',
      '/cohort join',
      '/clock +3h',
      '/checkin',
      'behind',
      '/as organizer',
      '/clock 2026-01-01T09:00',
      '/checkin',
      '/as lena',
      '/checkin',
      '/quit',
      '/help',
    ]);
    expect(out).toContain('Form left; nothing was saved.');
    expect(out).toContain('You are now @organizer (organizer).');
    expect(out).toMatch(/The bot's clock is at .* and only moves forward\. Give a later time, or \+7d · \+3h · \+30m\./);
    expect(out).not.toContain('Recorded:');
    // /quit inside the second form ends the session: /help after it never runs.
    expect(out.match(/Form left; nothing was saved\./g)).toHaveLength(2);
    expect(out).not.toContain('/checkin                         learner');
  });

  it('lets only the recipient press the buttons of a DM', async () => {
    const { content, faq } = await realContent();
    const clock = new Clock();
    clock.freeze(new Date('2026-03-02T06:00:00Z'));
    const deps = { db: t.db, content, faq, clock, reminderAfterHours: 24, admins: [] };
    const output: string[] = [];
    const chat = new LocalChat((s) => output.push(s));
    const scheduler = createScheduler({ deps, ports: new Map([['local', chat]]), log: createLogger('silent'), autoStart: false });
    const out = new PassThrough();
    out.on('data', (d: Buffer) => output.push(d.toString()));
    const terminal = new Terminal({ core: createCore(deps), scheduler, chat, input: new PassThrough(), output: out });
    for (const line of ['/in private', '/cohort create name:Private program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin', '/as pia', '/cohort join', '/clock +3h', '/clock +1d']) {
      await terminal.handle(line);
    }
    const n = [...Array(100).keys()].find((i) => chat.button(i)?.channelId === 'dm-pia' && chat.button(i)?.button.label === 'On track');
    expect(n).toBeDefined();
    await terminal.handle('/as sam');
    await terminal.handle(`click ${n}`);
    expect(output.join('\n')).toContain(`Button [${n}] is in @pia's DM; only @pia can press it (/as pia to be them).`);
    await terminal.handle('/as pia');
    await terminal.handle(`click ${n}`);
    expect(output.join('\n')).toContain('Recorded: On track for week 1 (Production code baseline).');
  });

  it('/help gives each command with its syntax and who may use it', async () => {
    const out = await session(['/help', '/quit']);
    expect(out).toContain('/progress [@user]                learner: yourself · mentor: anyone in their cohorts');
    expect(out).toMatch(/\/cohort create name:<text> program:<id> start:<YYYY-MM-DD>.*\n\s+organizer/);
    expect(out).toMatch(/\/stalled\s+mentor/);
  });

  it('keeps button numbers across a restart, so a mentor can answer a question asked before it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-buttons-'));
    try {
      const file = buttonsFile(dir);
      const numberOf = (out: string, label: string) => Number(new RegExp(`\\[(\\d+)\\] ${label}`).exec(out)?.[1]);
      const asked = await session(
        ['/cohort create name:"Spring" program:ds-to-mle start:2026-03-09 day:mon time:09:00 tz:UTC', '/cohort mentor @dana', '/as maria', '/cohort join', '/faq can I get a refund if I drop out of the cohort'],
        { buttonsFile: file },
      );
      const ask = numberOf(asked, 'Ask a mentor');
      // 06:00 UTC: the mentor's DM waits for their day (09:00), three hours on.
      const sent = await session(['/as maria', `click ${ask}`, '/clock +3h'], { buttonsFile: file });
      expect(sent).toContain("I've passed your question to your mentor.");
      expect(sent).toContain('(a notice to @dana waits for their morning: Mon 2 Mar 2026, 09:00 ');
      const answer = numberOf(sent, 'Answer');
      expect(answer).toBeGreaterThan(ask);

      const answered = await session(['/as dana', `click ${answer}`, 'Refunds are settled by the organizer who invited you.', '/clock +3h'], { buttonsFile: file });
      expect(answered).not.toContain('There is no button');
      expect(answered).toContain('Sent, and stored');
      expect(answered).toContain('Refunds are settled by the organizer who invited you.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('keeps the moved clock for the next session', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-clock-'));
    try {
      const file = clockFile(dir);
      const real = () => Date.parse('2026-03-02T06:00:00Z');
      await session(['/clock 2026-03-09T06:00:00Z', '/quit'], { clock: new Clock(real), clockFile: file });
      const next = new Clock(real);
      expect(restoreClock(next, file)).toBe(true);
      expect(next.now().toISOString()).toBe('2026-03-09T06:00:00.000Z');
      // Time never goes back: a saved time the real clock has passed is ignored.
      const later = new Clock(() => Date.parse('2026-04-01T00:00:00Z'));
      expect(restoreClock(later, file)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('reads clock shifts', () => {
    expect(parseClockShift('+7d')).toEqual({ advanceMs: 7 * 86_400_000 });
    expect(parseClockShift('+90m')).toEqual({ advanceMs: 90 * 60_000 });
    expect(parseClockShift('2026-03-02T09:00:00Z')).toEqual({ set: new Date('2026-03-02T09:00:00Z') });
    expect(parseClockShift('later')).toBeNull();
  });
});
