import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/core/commands.js';
import { refusalReply } from '../../src/core/handlers/reply.js';
import { reminderDueAt } from '../../src/core/own-time.js';
import { createPngRenderer } from '../../src/render/png.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import type { Sent } from '../helpers/recording-port.js';

const t = useTestDb();
const HOUR = 3_600_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1. Los Angeles moves to summer time on
// 14 March, Berlin on 28 March, Auckland back to standard time on 4 April: weeks 3 to 6 cross all three.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const ZONES: Record<string, string> = { lena: 'America/Los_Angeles', ari: 'Pacific/Auckland', kenji: 'Asia/Tokyo', maria: 'Europe/Berlin', dana: 'America/Los_Angeles' };

let e: TestEngine;
const olga = () => e.as('olga', { admin: true });

async function cohort(): Promise<void> {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z', { admins: [{ platform: 'local', userId: 'olga' }] });
  await e.run(olga(), '/cohort create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(olga(), '/cohort mentor @dana');
  for (const who of ['lena', 'ari', 'kenji', 'maria']) await e.run(e.as(who), '/cohort join');
}

/** Every message delivered, stamped with the moment the tick that sent it ran; `then` acts on each. */
async function walk(fromMs: number, toMs: number, then: (s: Sent) => Promise<void>): Promise<Array<Sent & { at: Date }>> {
  const out: Array<Sent & { at: Date }> = [];
  for (let at = fromMs; at <= toMs; at += HOUR) {
    const before = e.port.sent.length;
    await e.at(new Date(at).toISOString());
    for (const s of e.port.sent.slice(before)) {
      out.push({ ...s, at: new Date(at) });
      await then(s);
    }
  }
  return out;
}

/** A command's reply as the person reads it, bad input included. */
async function say(who: string, text: string): Promise<string> {
  try {
    return textOf(await e.run(e.as(who), text));
  } catch (err) {
    if (err instanceof CommandError) return textOf(refusalReply(err));
    throw err;
  }
}

const local = (at: Date, who: string) => DateTime.fromJSDate(at).setZone(ZONES[who]!);

describe('/me', () => {
  beforeEach(() => t.reset());

  it('shows the zone in use and where it comes from, and refuses bad input with a specific reply that changes nothing', async () => {
    await cohort();
    const show = textOf(await e.run(e.as('maria'), '/me'));
    expect(show).toContain("Your time zone: Europe/Berlin (GMT+1, now 13:00) — your cohort's zone (**Spring**)");
    expect(show).toContain('24 h after each round is posted, moved to 09:00 your time');

    const refusals: Array<[string, string]> = [
      ['/me tz:Mars/Olympus', '"Mars/Olympus" is not a time zone I know. Use an Area/City name'],
      ['/me tz:EST', '"EST" is not a time zone I know'],
      ['/me remind:funday 10:00', '"funday" is not a day of the week'],
      ['/me remind:tue 25:00', '"25:00" is not a time in HH:MM form'],
      ['/me remind:tue', 'Give the time too, e.g. `remind:tue 10:00`'],
      ['/me remind:tue 23:30', '23:30 is in the night (21:00–09:00), when I send nothing'],
      ['/me colour:blue', 'Unknown option "colour". The options are tz and remind.'],
    ];
    for (const [cmd, want] of refusals) expect(await say('maria', cmd), cmd).toContain(want);
    expect(await t.db.selectFrom('people').selectAll().execute()).toEqual([]);
    // Week N's round opens Monday 17:00 in Tokyo; a slot in its last hour would come too late.
    await say('kenji', '/me tz:Asia/Tokyo');
    expect(await say('kenji', '/me remind:mon 16:30')).toContain(
      "Monday 16:30 your time falls less than an hour before **Spring**'s round closes, too late to answer. Pick a slot from Monday 17:00 to Monday 16:00 your time (GMT+9).",
    );
    expect(await say('kenji', '/me remind:monday 17:30')).toContain('Your reminder: Mondays at 17:30 your time');

    const set = textOf(await e.run(e.as('lena'), '/me tz:america/los_angeles'));
    expect(set).toContain('Your time zone: America/Los_Angeles (PST, now 04:00) — you set it with `/me tz:`.');
    const slot = textOf(await e.run(e.as('kenji'), '/me tz:Asia/Tokyo remind:wed 12:00'));
    expect(slot).toContain('Your reminder: Wednesdays at 12:00 your time');
    expect(textOf(await e.run(e.as('kenji'), '/me remind:default'))).toContain('24 h after each round is posted');
    expect(textOf(await e.run(e.as('kenji'), '/me'))).toContain('Asia/Tokyo (GMT+9, now 21:00) — you set it with `/me tz:`.');
  });

  it('reaches every learner at 09:00 their time or at their slot, once per round, across three DST changes; mentors only in daytime', async () => {
    await cohort();
    for (const who of ['lena', 'ari', 'dana']) await e.run(e.as(who), `/me tz:${ZONES[who]}`);
    await e.run(e.as('kenji'), '/me tz:Asia/Tokyo remind:wed 12:00');
    // maria answers nothing, so the mentor gets alerts and digests about her; the others answer after their reminder.
    const sent = await walk(WEEK1 - HOUR, WEEK1 + 6 * 7 * 24 * HOUR - 2 * HOUR, async (s) => {
      if (s.kind === 'dm' && s.key?.startsWith('reminder:') && ['lena', 'ari', 'kenji'].includes(s.target)) await e.run(e.as(s.target), '/checkin on-track');
    });
    const reminders = sent.filter((s) => s.key?.startsWith('reminder:'));
    for (const who of ['lena', 'ari', 'maria']) {
      const mine = reminders.filter((s) => s.target === who);
      expect(mine.map((s) => s.key!.split(':')[1]), who).toEqual([...new Set(mine.map((s) => s.key!.split(':')[1]))]);
      expect(mine.length, who).toBeGreaterThanOrEqual(5);
      // Moved out of the night: 09:00 sharp, or a day after the post when that is daytime.
      for (const s of mine) expect(local(s.at, who).hour, `${who} at ${s.at.toISOString()}`).toBeGreaterThanOrEqual(9);
    }
    expect(reminders.filter((s) => s.target === 'lena').map((s) => local(s.at, 'lena').toFormat('ccc HH:mm'))).toEqual(Array(6).fill('Tue 09:00'));
    // Auckland: a day after the post is 21:00 there (night: 09:00 next) until Berlin's summer time
    // makes it 20:00, then Auckland's winter time 19:00 (both daytime).
    expect(reminders.filter((s) => s.target === 'ari').map((s) => local(s.at, 'ari').toFormat('ccc HH:mm'))).toEqual([...Array(4).fill('Wed 09:00'), 'Tue 20:00', 'Tue 19:00']);
    expect(reminders.filter((s) => s.target === 'kenji').map((s) => local(s.at, 'kenji').toFormat('ccc HH:mm'))).toEqual(Array(6).fill('Wed 12:00'));
    const toDana = sent.filter((s) => s.kind === 'dm' && s.target === 'dana');
    expect(toDana.some((s) => s.key?.startsWith('alert:'))).toBe(true);
    // Alerts name their times in the mentor's own zone too.
    const alerts = toDana.filter((s) => s.key?.startsWith('alert:'));
    expect(alerts.some((s) => s.message.text.includes('(America/Los_Angeles)'))).toBe(true);
    expect(alerts.filter((s) => s.message.text.includes('(Europe/Berlin)'))).toEqual([]);
    // The digest names the week's close in the mentor's own zone.
    const digest = toDana.find((s) => s.key?.startsWith('digest:'))!;
    expect(digest.message.text).toContain('**Not checked in yet (1):** maria. Week 1 stays open until Mon 8 Mar 2027, 00:00 PST your time;');
    for (const s of toDana) {
      const h = local(s.at, 'dana').hour;
      expect(h >= 9 && h < 21, `${s.key} at ${local(s.at, 'dana').toISO()}`).toBe(true);
    }
  }, 300_000);

  it('an on-demand report comes at once, night or not', async () => {
    await cohort();
    e.deps.renderer = createPngRenderer();
    await e.run(e.as('dana'), `/me tz:${ZONES.dana}`);
    await e.at(new Date(WEEK1 + HOUR).toISOString()); // 01:00 in Los Angeles
    const before = e.port.sent.length;
    expect(await say('dana', '/cohort report')).toContain('by direct message');
    await e.deliver();
    expect(e.port.sent.slice(before).map((s) => [s.kind, s.target])).toEqual([['dm', 'dana']]);
  });
});

describe('reminder due times', () => {
  it('stay at 09:00 local across the reader’s own DST change', () => {
    const own = { zone: 'America/Los_Angeles', source: 'chosen' as const, slot: null };
    for (const opens of ['2027-03-08T08:00:00Z', '2027-03-15T08:00:00Z', '2027-11-01T08:00:00Z', '2027-11-08T08:00:00Z']) {
      const at = reminderDueAt({ opensAt: new Date(opens), postedAt: new Date(opens) }, own, 24);
      expect(DateTime.fromJSDate(at).setZone(own.zone).toFormat('ccc HH:mm'), opens).toBe('Tue 09:00');
    }
  });
});
