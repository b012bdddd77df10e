import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDb } from '../../helpers/db.js';
import { terminalSession } from '../../helpers/terminal-session.js';

const t = useTestDb();

/** What the session printed from `from` up to the next prompt line that starts with `until` (or the end). */
function between(out: string, from: string, until = '\u0000'): string {
  const start = out.indexOf(from);
  if (start < 0) return '';
  const end = out.indexOf(until, start + from.length);
  return out.slice(start, end < 0 ? undefined : end);
}

let out = '';

/**
 * A cohort over four weeks in terminal mode while its platform changes: maria leaves the channel in
 * week 1 and comes back in week 2; sam closes his DMs; dana's account is deactivated; the channel
 * is archived for two weeks; the bot's token is revoked for a day; li leaves without the bot hearing.
 */
beforeAll(async () => {
  out = await terminalSession(t.db, [
    '/cohort create name:Shifting program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
    '/cohort mentor @dana',
    '/cohort mentor @mo',
    '/as maria',
    '/cohort join',
    '/as li',
    '/cohort join',
    '/as sam',
    '/cohort join',
    '/as organizer',
    '/clock +3h',
    '/platform leave @maria',
    '/clock +1d',
    '/platform close-dms @sam',
    '/clock +6d',
    '/platform join @maria',
    '/platform deactivate @dana',
    '/platform archive',
    '/clock +14d',
    '/platform unarchive',
    '/clock +1h',
    '/platform revoke',
    '/clock +1d',
    '/platform restore',
    '/clock +2m',
    '/clock +1h',
    '/platform vanish @li',
    '/platform check',
    '/cohort status',
    '/quit',
  ]);
});

describe('terminal mode acts out the platform changing under the bot', () => {
  it('a learner who leaves is counted out, named in the digest, and gets no reminder; back, they count again', () => {
    expect(between(out, '@maria left #cohort.')).toContain('now reads: 0 of 2 checked in (1 has left)');
    const reminders = out.match(/── DM to @\w+ ─+\nReminder: week 1 /g) ?? [];
    expect(reminders.map((r) => r.slice(10, r.indexOf(' ─')))).toEqual(['li', 'sam']);
    expect(out).toContain('Left the channel (1): maria; nothing more is sent to or about them unless they come back.');
    expect(between(out, '@maria joined #cohort.')).toContain('now reads: 0 of 3 checked in');
    // Week 1 stays hers as "left", never as missed.
    expect(out).toMatch(/maria +L +\? +0\/7/);
  });

  it('tells the organizers once that the channel was archived and how to fix it; the weeks held back follow the outage rule', () => {
    const notices = out.match(/The channel of Shifting was archived/g) ?? [];
    expect(notices).toHaveLength(1);
    expect(out).toContain('Unarchive it, or move the cohort to another channel: `/cohort edit channel:#new-channel cohort:"Shifting"`, typed anywhere.');
    expect(out).not.toContain('Week 3 of 24');
    expect(out).toContain('Posted late: I could not post in this channel from Mon 9 Mar 2026, 10:00 (Europe/Berlin) to Mon 23 Mar 2026, 11:00 (Europe/Berlin).');
    expect(out).toContain('so week 3 was not run in Shifting: no round was posted and no learner counts as having missed it.');
  });

  it('a deactivated mentor gets nothing more: the digest goes to the other mentor', () => {
    const afterDeactivation = out.slice(out.indexOf("@dana's account is deactivated."));
    expect(afterDeactivation).toContain('── DM to @mo ───');
    expect(afterDeactivation).not.toMatch(/── DM to @dana ─+\nWeekly digest/);
  });

  it('a learner who leaves unannounced is found by the members check: the alert about them closes and the post counts them out', () => {
    const check = between(out, 'Checked 1 cohort channel');
    expect(check).toContain('1 left, 0 back, unannounced');
    expect(check).toContain('li is no longer in the channel (found by the daily check). Nothing more is sent about them unless they come back.');
    expect(check).toContain('now reads: 0 of 2 checked in (1 has left)');
  });

  it('while the token is revoked nothing is sent; once a probe finds access back, what still makes sense goes out', () => {
    const revoked = between(out, "The bot's token is revoked", "The bot's access is given back");
    expect(revoked).not.toContain('── DM to');
    expect(revoked).not.toContain('── #cohort');
    const back = out.slice(out.indexOf("The bot's access is given back"));
    expect(back).toMatch(/── DM to @maria ─+\nReminder: week 4 check-in for Shifting is still open\./);
  });

  it('a learner whose DMs are closed is reminded by one mention under the round post', () => {
    expect(out).toMatch(/── #cohort, in the thread of \S+ ─*\n@sam, week 4's check-in is still open: one click on the post above is enough\. \(I could not reach you by direct message\.\)/);
    expect(out.match(/@sam, week \d's check-in is still open/g)).toHaveLength(1);
  });

  it('/cohort status says how the current round was posted late', () => {
    expect(out).toContain('Posted Mon 23 Mar 2026, 11:00 (Europe/Berlin) (late: I could not post in this channel from Mon 9 Mar 2026, 10:00 (Europe/Berlin) to Mon 23 Mar 2026, 11:00 (Europe/Berlin)). 0 of 2 checked in (1 has left).');
  });
});
