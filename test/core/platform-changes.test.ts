import { beforeEach, describe, expect, it } from 'vitest';
import { AccessLostError, RecipientUnreachableError } from '../../src/core/chat.js';
import { listFailures, reportFailures } from '../../src/core/failures.js';
import { healthRoute } from '../../src/http/health.js';
import { probeAccess } from '../../src/jobs/access-probe.js';
import { run as outboxCli } from '../../src/cli/outbox.js';
import { createLogger } from '../../src/log.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

let e: TestEngine;
const olga = () => e.as('olga', { admin: true });
const probe = () => probeAccess(e.deps, new Map([['local', e.port]]), createLogger('silent'));

async function cohort(mentors: string[] = ['dana']): Promise<void> {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z', { admins: [{ platform: 'local', userId: 'olga' }] });
  await e.run(olga(), '/cohort create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  for (const m of mentors) await e.run(olga(), `/cohort mentor @${m}`);
  for (const who of ['maria', 'li']) await e.run(e.as(who), '/cohort join');
}

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  let status = 0;
  let text = '';
  const res = { writeHead: (s: number) => ((status = s), res), end: (b: string) => (text = b), setHeader: () => undefined };
  await healthRoute(t.db)({} as never, res as never);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

describe('access revoked', () => {
  beforeEach(() => t.reset());

  it('trips one circuit: nothing more is tried but the probe, /healthz says why, and held messages go once when access returns', async () => {
    await cohort();
    await e.at(slot(1));
    e.port.refuse = (kind) => (kind === 'probe' || kind === 'dm' || kind === 'post' || kind === 'update' ? new AccessLostError('token_revoked') : null);
    const before = e.port.attempts;
    await e.at(slot(1, 25)); // the reminders fall due
    // Sends already under way when the first one failed may fail too (two DMs here); then nothing more.
    const firstPass = e.port.attempts - before;
    expect(firstPass).toBeGreaterThanOrEqual(1);
    expect(firstPass).toBeLessThanOrEqual(2);
    expect(await health()).toMatchObject({ status: 503, body: { status: 'unavailable', access: { local: expect.stringContaining('token_revoked') } } });
    // Hours of ticks: no attempt but the probe, about once a minute.
    for (let h = 26; h <= 30; h++) await e.at(slot(1, h));
    expect(e.port.attempts - before).toBe(firstPass);
    await probe();
    await probe();
    expect(e.port.attempts - before).toBe(firstPass + 1);
    const held = await t.db.selectFrom('outbox').select(['key', 'status', 'attempts']).where('kind', '=', 'reminder').orderBy('key').execute();
    expect(held.map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);

    e.port.refuse = null;
    e.clock.freeze(new Date(Date.parse(slot(1, 30)) + 60_000));
    expect(await probe()).toEqual(['local']);
    await e.deliver();
    expect(e.port.sent.filter((s) => s.kind === 'dm' && s.key?.startsWith('reminder:')).map((s) => s.target).sort()).toEqual(['li', 'maria']);
    expect((await health()).status).toBe(200);
  });

  it('while access is lost no round is posted; when it returns the latest week goes out late and what no longer makes sense is dropped with its reason', async () => {
    await cohort();
    await e.at(slot(1));
    e.port.refuse = () => new AccessLostError('token_revoked');
    await e.at(slot(1, 25)); // reminders held
    for (const week of [2, 3]) await e.at(slot(week, 1));
    expect(await t.db.selectFrom('rounds').select('week').execute()).toEqual([{ week: 1 }]);
    e.port.refuse = null;
    e.clock.freeze(new Date(slot(3, 2)));
    await probe();
    await e.tick();
    const weeks = await t.db.selectFrom('rounds').select(['week', 'state', 'not_run_reason', 'late_cause']).orderBy('week').execute();
    expect(weeks).toEqual([
      { week: 1, state: 'posted', not_run_reason: null, late_cause: null },
      { week: 2, state: 'not-run', not_run_reason: 'unreachable', late_cause: null },
      { week: 3, state: 'posted', not_run_reason: null, late_cause: 'no-access' },
    ]);
    const post = e.port.posts().find((p) => p.message.roundId !== undefined && p.message.text.startsWith('**Week 3'))!;
    expect(post.message.text).toContain('_Posted late: my access to the workspace was revoked from');
    // Week 1's reminders came too late: dropped, with why.
    expect(e.port.sent.filter((s) => s.key?.startsWith('reminder:'))).toEqual([]);
    const failures = await listFailures(t.db);
    expect(failures.filter((f) => f.kind === 'reminder').map((f) => [f.status, f.reason, f.cohort])).toEqual([
      ['dropped', 'its round closed before it could be sent', 'Spring'],
      ['dropped', 'its round closed before it could be sent', 'Spring'],
    ]);
  });
});

describe('a DM that cannot be delivered', () => {
  beforeEach(() => t.reset());

  it('becomes one mention of the learner under the round post; a mentor’s alert goes to the other mentor', async () => {
    await cohort(['dana', 'mo']);
    e.port.refuse = (kind, target) => (kind === 'dm' && (target === 'li' || target === 'dana') ? new RecipientUnreachableError(`@${target} does not accept direct messages`) : null);
    await e.at(slot(1));
    await e.at(slot(1, 25));
    const replies = e.port.sent.filter((s) => s.kind === 'reply');
    expect(replies.map((r) => r.message.text)).toEqual(["@li, week 1's check-in is still open: one click on the post above is enough. (I could not reach you by direct message.)"]);
    expect(e.port.dmsTo('maria').filter((d) => d.key?.startsWith('reminder:'))).toHaveLength(1);
    const [failed] = (await listFailures(t.db)).filter((f) => f.key.startsWith('reminder:'));
    expect(failed).toMatchObject({ status: 'dead', target: 'user:li', reason: '@li does not accept direct messages: reminded under the round post instead' });

    // Both stay silent two weeks: alerts. One was for dana, who cannot be reached: it goes to mo.
    await e.at(slot(2));
    await e.at(slot(3, 1));
    const alerts = e.port.sent.filter((s) => s.kind === 'dm' && s.key?.startsWith('alert:'));
    expect(alerts.map((a) => a.target)).toEqual(['mo', 'mo']);
  });
});

describe('a mentor who leaves', () => {
  beforeEach(() => t.reset());

  it('gets nothing more: open alerts move to the other mentor, and the organizers hear when no mentor is left', async () => {
    await cohort(['dana', 'mo']);
    await e.at(slot(1));
    await e.at(slot(2));
    await e.at(slot(3, 1));
    const alerted = e.port.sent.filter((s) => s.key?.startsWith('alert:')).map((s) => s.target).sort();
    expect(alerted).toEqual(['dana', 'mo']);
    expect(await e.core.platformEvent({ kind: 'member-left', platform: 'local', userId: 'dana', reason: 'deactivated' })).toBe('changed');
    await e.deliver();
    const moved = e.port.sent.filter((s) => s.key?.includes(':moved:'));
    expect(moved.map((m) => m.target)).toEqual(['mo']);
    expect(await e.core.platformEvent({ kind: 'member-left', platform: 'local', userId: 'mo', channelId: 'C-spring', reason: 'left-channel' })).toBe('changed');
    await e.deliver();
    const notice = e.port.dmsTo('olga').find((d) => d.key?.startsWith('no-mentor:'))!;
    expect(notice.message.text).toBe('mo left the channel, and **Spring** has no other mentor: stall alerts now come to you, the organizers. Add a mentor with `/cohort mentor @user` in its channel.');
    expect(e.port.sent.filter((s) => s.key?.includes(':moved:') && s.target === 'olga')).toHaveLength(2);
    // Repeating the event changes nothing.
    expect(await e.core.platformEvent({ kind: 'member-left', platform: 'local', userId: 'mo', channelId: 'C-spring', reason: 'left-channel' })).toBe('nothing');
    // The digest goes to the organizers now.
    await e.at(slot(3, 6 * 24 + 1));
    expect(e.port.dmsTo('olga').some((d) => d.key?.startsWith('digest:'))).toBe(true);
    expect(e.port.dmsTo('dana').some((d) => d.key?.startsWith('digest:') && d.key.includes(':3:'))).toBe(false);
  });
});

describe('nothing dies silently', () => {
  beforeEach(() => t.reset());

  it('lists failed messages to the organizers at most once a day, and `outbox failed --json` names key, cohort, target, reason and time', async () => {
    await cohort();
    e.port.refuse = (kind, target) => (kind === 'dm' && target === 'dana' ? new Error('boom') : null);
    await e.at(slot(1));
    // The alert to dana will fail for good; here the digest fails eight times.
    for (let h = 0; h < 10; h++) {
      e.clock.freeze(new Date(Date.parse(slot(1, 6 * 24 + 1)) + h * 15 * 60_000));
      await e.tick();
    }
    const dead = (await listFailures(t.db)).filter((f) => f.status === 'dead');
    expect(dead.map((f) => f.kind)).toEqual(['digest']);
    expect(await reportFailures(t.db, e.deps.admins, e.clock.now())).toBe(0);
    const report = e.port.dmsTo('olga').filter((d) => d.key?.startsWith('failures:'));
    expect(report).toHaveLength(1);
    expect(report[0]!.message.text).toMatch(/^\*\*Spring\*\*: a message could not be delivered\.\n• digest to dana: boom\n/);
    const out: string[] = [];
    expect(await outboxCli(['failed', '--json'], { stdout: { write: (s: string) => out.push(s) } as never, stderr: process.stderr, db: t.db })).toBe(0);
    const json = JSON.parse(out.join('')) as Array<Record<string, unknown>>;
    expect(json).toEqual([expect.objectContaining({ key: dead[0]!.key, cohort: 'Spring', target: 'user:dana', reason: 'boom', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
    const retried: string[] = [];
    e.port.refuse = null;
    expect(await outboxCli(['retry', dead[0]!.id], { stdout: { write: (s: string) => retried.push(s) } as never, stderr: process.stderr, db: t.db, now: () => e.clock.now() })).toBe(0);
    await e.deliver();
    expect(e.port.dmsTo('dana').filter((d) => d.key === dead[0]!.key)).toHaveLength(1);
    expect(textOf({ kind: 'message', message: { text: retried.join('') } })).toContain('1 message queued again');
  });
});
