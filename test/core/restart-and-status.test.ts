import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

let e: TestEngine;
const olga = () => e.as('olga', { admin: true });

/**
 * maria never answers; li always does. The bot is down from an hour after week 2 opens until an hour
 * after week 3's slot: week 2's digest falls due meanwhile, and week 2 closes (maria's second miss).
 */
beforeAll(async () => {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  await e.run(olga(), '/cohort create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(olga(), '/cohort mentor @dana');
  for (const who of ['maria', 'li']) await e.run(e.as(who), '/cohort join');
  await e.at(slot(1));
  await e.run(e.as('li'), '/checkin on-track');
  await e.at(slot(2));
  await e.run(e.as('li'), '/checkin on-track');
  await e.at(slot(2, 1));
  await e.at(slot(3, 2)); // the restart
  await e.run(e.as('nina'), '/cohort join');
  await e.at(slot(3, 27)); // reminders, a day after the late post
});

describe('a restart brings flags up to date before it builds the digests', () => {
  it("week 2's digest, sent by the restart, lists the flag the same restart raised", async () => {
    const digest = e.port.dmsTo('dana').find((d) => d.key?.startsWith('digest:') && d.key.includes(':2:'))!;
    expect(digest.message.text).toContain('**Open stall flags (1)**\n• maria (not yet acknowledged): missed');
    expect(digest.message.text).toContain('**Missed (1):** maria');
  });
});

describe('/cohort status', () => {
  it('says when the round was really posted, late after an outage', async () => {
    const status = textOf(await e.run(e.as('dana'), '/cohort status'));
    expect(status).toMatch(/^\*\*Spring · week 3: Production code baseline\*\*\nPosted Mon 15 Mar 2027, 11:00 \(Europe\/Berlin\) \(late: I was offline from Mon 8 Mar 2027, 10:00 \(Europe\/Berlin\) to Mon 15 Mar 2027, 11:00 \(Europe\/Berlin\)\)\. 0 of 3 checked in\. Open until Mon 22 Mar 2027, 09:00 \(Europe\/Berlin\)\./);
  });
});

describe('reminders', () => {
  it('call a check-in "first" only for the learner’s first round', async () => {
    const text = (who: string) => e.port.dmsTo(who).find((d) => d.key?.startsWith('reminder:'))?.message.text ?? '';
    expect(text('nina')).toContain('This is your first check-in.');
    expect(text('maria')).toContain("You haven't checked in yet in this cohort");
    expect(text('maria')).not.toContain('first check-in');
    expect(text('li')).toContain('Last time (week 2) you said **On track**');
  });
});

describe('/cohort mentor', () => {
  it('says how alerts are shared once there are two mentors', async () => {
    expect(textOf(await e.run(olga(), '/cohort mentor @mo'))).toBe(
      '@mo is now a mentor of **Spring**. Stall alerts are shared among the 2 mentors: each new alert goes to the one with the fewest open alerts; one nobody answers is sent again after 48 hours, then to the organizers. The weekly digest goes to every mentor.',
    );
  });
});

describe('after the end', () => {
  it('/cohort status says the cohort has finished, not "nobody yet"', async () => {
    // Down again from week 3 to after the last week closed: weeks 4 to 24 are not run, and the program ends.
    await e.at(slot(25, 2));
    const status = textOf(await e.run(e.as('dana'), '/cohort status'));
    expect(status).toBe(
      '**Spring** has finished (Mon 16 Aug 2027, 12:00 (Europe/Berlin)): no more rounds.\nIts last round was week 3: 0 of 3 checked in. `/cohort report` has the final figures and the heatmap.',
    );
  });
});
