import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import { createCore } from '../../../src/core/create-core.js';
import { createScheduler } from '../../../src/jobs/scheduler.js';
import { createLogger } from '../../../src/log.js';
import { LocalChat } from '../../../src/platforms/local/port.js';
import { parseClockShift, Terminal } from '../../../src/platforms/local/terminal.js';
import { useTestDb } from '../../helpers/db.js';
import { realContent } from '../../helpers/engine.js';

const t = useTestDb();

async function session(lines: string[]): Promise<string> {
  const { content, faq } = await realContent();
  const clock = new Clock();
  clock.freeze(new Date('2026-03-02T06:00:00Z'));
  const deps = { db: t.db, content, faq, clock, reminderAfterHours: 24, admins: [] };
  const output: string[] = [];
  const chat = new LocalChat((s) => output.push(s));
  const scheduler = createScheduler({ deps, ports: new Map([['local', chat]]), log: createLogger('silent'), autoStart: false });
  const input = new PassThrough();
  const out = new PassThrough();
  out.on('data', (d: Buffer) => output.push(d.toString()));
  const terminal = new Terminal({ core: createCore(deps), scheduler, chat, input, output: out });
  const done = terminal.run();
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return output.join('\n');
}

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
    const out = await session(['/clock soon', 'click 99', '/frobnicate', '/checkin great', 'hello']);
    expect(out).toContain('Usage: /clock +7d · +3h · +30m · 2026-03-02T09:00');
    expect(out).toContain('There is no button [99].');
    expect(out).toContain('/frobnicate is not a command here. Type /help.');
    expect(out).toContain('"great" is not a status. Use on-track, behind, blocked or done.');
    expect(out).toContain('Messages to the channel are not read');
  });

  it('reads clock shifts', () => {
    expect(parseClockShift('+7d')).toEqual({ advanceMs: 7 * 86_400_000 });
    expect(parseClockShift('+90m')).toEqual({ advanceMs: 90 * 60_000 });
    expect(parseClockShift('2026-03-02T09:00:00Z')).toEqual({ set: new Date('2026-03-02T09:00:00Z') });
    expect(parseClockShift('later')).toBeNull();
  });
});
