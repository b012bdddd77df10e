import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { FakeSlack, visibleText } from '../../helpers/fake-slack.js';
import type { Person } from '../../helpers/slack-requests.js';
import { startSlackHarness, type SlackHarness } from './harness.js';
import { slackEvents } from './slack-world.js';

const CHANNEL = 'C0SPRING';
const omar: Person = { id: 'U0OMAR', name: 'omar' };
const dana: Person = { id: 'U0DANA', name: 'dana' };
const lena: Person = { id: 'U0LENA', name: 'lena' };
const ari: Person = { id: 'U0ARI', name: 'ari' };
const kenji: Person = { id: 'U0KENJI', name: 'kenji' };
const maria: Person = { id: 'U0MARIA', name: 'maria' };
const admins: AdminId[] = [{ platform: 'slack', userId: omar.id }];
// Profiles in four zones; the cohort runs Mondays 09:00 Berlin (08:00 UTC on 1 March 2027).
const PROFILE: Record<string, string> = { [lena.id]: 'America/Los_Angeles', [ari.id]: 'Pacific/Auckland', [kenji.id]: 'Asia/Tokyo', [maria.id]: 'Europe/Berlin', [dana.id]: 'America/Los_Angeles', [omar.id]: 'Europe/Berlin' };
const HOUR = 3_600_000;
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');

describe('each person’s own time, through Slack over signed HTTP', () => {
  const t = useTestDb();
  let fake: FakeSlack;
  let h: SlackHarness;
  let deps: CoreDeps;
  let handled = 0;

  beforeAll(async () => {
    deps = await realDeps(t.db, admins, '2027-02-26T12:00:00Z');
    fake = await FakeSlack.start();
    const core = createCore(deps);
    const counted = { ...core, platformEvent: (e: Parameters<typeof core.platformEvent>[0]) => core.platformEvent(e).finally(() => (handled += 1)) };
    h = await startSlackHarness({ core: counted, db: t.db, adminIds: admins, fake });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });
  beforeEach(async () => {
    await t.reset();
    fake.reset();
    for (const p of [omar, dana, lena, ari, kenji, maria]) fake.addUser({ id: p.id, name: p.name, tz: PROFILE[p.id] });
    deps.clock.freeze(new Date('2027-02-26T12:00:00Z'));
  });

  const ports = () => new Map([['slack' as const, h.platform.port]]);

  const slash = (user: Person, command: string, text = '') => h.slash(user, command, text, CHANNEL);

  /** Hour by hour as the scheduler would; every DM that went out, with the hour it went. */
  async function walk(fromMs: number, toMs: number): Promise<Array<{ to: string; text: string; at: Date }>> {
    const seen = new Map<string, number>();
    const out: Array<{ to: string; text: string; at: Date }> = [];
    for (let at = fromMs; at <= toMs; at += HOUR) {
      deps.clock.freeze(new Date(at));
      await runTick(deps, deps.clock.now());
      for (let i = 0; i < 10; i++) {
        const r = await deliverDue(t.db, ports(), deps.clock.now(), { workerId: 'w1', admins });
        if (r.sent + r.retried + r.dead === 0) break;
      }
      for (const p of [dana, lena, ari, kenji, maria]) {
        const dms = fake.messagesIn(`D${p.id}`);
        for (const m of dms.slice(seen.get(p.id) ?? 0)) out.push({ to: p.id, text: visibleText(m), at: new Date(at) });
        seen.set(p.id, dms.length);
      }
    }
    return out;
  }

  const localTime = (at: Date, zone: string) => DateTime.fromJSDate(at).setZone(zone).toFormat('ccc HH:mm');

  it('reminds learners in four zones at 09:00 their time or their slot, follows a profile change, and keeps the mentor’s DMs in their day', async () => {
    await slash(omar, '/cohort', 'create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    await slash(omar, '/cohort', `mentor <@${dana.id}|dana>`);
    for (const p of [lena, ari, kenji, maria]) await slash(p, '/cohort', 'join');
    await slash(dana, '/me');
    expect(await slash(lena, '/me')).toContain('Your time zone: America/Los_Angeles (PST, now 04:00) — from your Slack profile.');
    expect(await slash(kenji, '/me', 'remind:wed 12:00')).toContain('Your reminder: Wednesdays at 12:00 your time');
    expect(await slash(ari, '/me', 'tz:Pacific/Atlantis')).toContain('"Pacific/Atlantis" is not a time zone I know');

    // Maria moves to New York before week 1: her profile changes, and so does her reminder.
    fake.addUser({ id: maria.id, name: maria.name, tz: 'America/New_York' });
    const before = handled;
    expect((await h.send(slackEvents.userChange(maria.id, false, { tz: 'America/New_York' }))).status).toBe(200);
    for (let i = 0; i < 500 && handled === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await slash(maria, '/me')).toContain('Your time zone: America/New_York');

    const sent = await walk(WEEK1 - HOUR, WEEK1 + 7 * 24 * HOUR - 2 * HOUR);
    const reminders = sent.filter((s) => s.text.startsWith('Reminder: week 1'));
    const when = (p: Person, zone: string) => reminders.filter((s) => s.to === p.id).map((s) => localTime(s.at, zone));
    expect(when(lena, 'America/Los_Angeles')).toEqual(['Tue 09:00']);
    expect(when(ari, 'Pacific/Auckland')).toEqual(['Wed 09:00']);
    expect(when(kenji, 'Asia/Tokyo')).toEqual(['Wed 12:00']);
    expect(when(maria, 'America/New_York')).toEqual(['Tue 09:00']);
    const toDana = sent.filter((s) => s.to === dana.id);
    expect(toDana.length).toBeGreaterThan(0);
    for (const s of toDana) {
      const hour = DateTime.fromJSDate(s.at).setZone('America/Los_Angeles').hour;
      expect(hour >= 9 && hour < 21, `${s.text.split('\n')[0]} at ${localTime(s.at, 'America/Los_Angeles')}`).toBe(true);
    }
  }, 120_000);
});
