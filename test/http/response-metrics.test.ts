import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Clock } from '../../src/core/clock.js';
import { createLogger } from '../../src/log.js';
import { startBot, type Bot } from '../../src/main.js';
import { addMember, at, makeCohort } from '../core/stalls/fixtures.js';
import { useTestDb } from '../helpers/db.js';
import { realContent } from '../helpers/engine.js';

const t = useTestDb();

describe('/metrics: mentors’ response time to stall alerts', () => {
  let bot: Bot;
  beforeAll(async () => {
    await t.reset();
    const clock = new Clock();
    clock.freeze(new Date('2026-03-20T07:00:00Z'));
    bot = await startBot(loadConfig({ PORT: '0' }), { handle: t.handle, clock, content: (await realContent()).content, log: createLogger('silent'), autoStart: false, print: () => undefined });
  });
  afterAll(() => bot?.stop());

  it('is a histogram by cohort, read from the flags in the database', async () => {
    const spring = await makeCohort(t.db, { weeks: 1, name: 'spring' });
    const autumn = await makeCohort(t.db, { weeks: 1, name: 'autumn' });
    // Ana mentors both: only a mentor's answer is timed.
    await addMember(t.db, spring.id, 'Ana', 'mentor');
    await addMember(t.db, autumn.id, 'Ana', 'mentor');
    const opened = at(1, 30);
    const answeredAfter = async (cohortId: number, name: string, hours: number | null) =>
      t.db
        .insertInto('stall_flags')
        .values({
          member_id: await addMember(t.db, cohortId, name),
          cohort_id: cohortId,
          reasons: JSON.stringify([]),
          opened_at: opened,
          ...(hours === null ? {} : { status: 'acknowledged' as const, acknowledged_at: new Date(opened.getTime() + hours * 3_600_000), acknowledged_by: 'Ana' }),
        })
        .execute();
    await answeredAfter(spring.id, 'Maria', 0.5);
    await answeredAfter(spring.id, 'Ben', 30);
    await answeredAfter(autumn.id, 'Chen', 2);
    await answeredAfter(autumn.id, 'Dee', null);

    const text = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
    expect(text).toMatch(/^# TYPE mentorbot_alert_response_seconds histogram$/m);
    expect(text).toMatch(/^mentorbot_alert_response_seconds_bucket\{le="3600",cohort="spring"\} 1$/m);
    expect(text).toMatch(/^mentorbot_alert_response_seconds_bucket\{le="172800",cohort="spring"\} 2$/m);
    expect(text).toMatch(/^mentorbot_alert_response_seconds_count\{cohort="spring"\} 2$/m);
    expect(text).toMatch(/^mentorbot_alert_response_seconds_sum\{cohort="spring"\} 109800$/m);
    // The alert still waiting is not in the histogram.
    expect(text).toMatch(/^mentorbot_alert_response_seconds_count\{cohort="autumn"\} 1$/m);
    expect(text).toMatch(/^mentorbot_alert_response_seconds_bucket\{le="3600",cohort="autumn"\} 0$/m);

    // Read again, not added again.
    const again = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
    expect(again).toMatch(/^mentorbot_alert_response_seconds_count\{cohort="spring"\} 2$/m);
  });
});
