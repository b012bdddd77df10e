import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { buttonsOf, visibleText } from '../../helpers/fake-slack.js';
import { clickButton, slashCommand, type ClickableMessage, type Person as SlackPerson } from '../../helpers/slack-requests.js';
import { expectPrivacy, setUp, walk, type Channel, type Driver, type Person, type Seen } from '../permissions/walk.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

const PEOPLE: Record<Person, SlackPerson> = {
  learner: { id: 'U0MARIA', name: 'maria' },
  mentor: { id: 'U0NADIA', name: 'nadia' },
  otherMentor: { id: 'U0BOB', name: 'bob' },
  organizer: { id: 'U0OMAR', name: 'omar' },
  stranger: { id: 'U0ZED', name: 'zed' },
  li: { id: 'U0LI', name: 'li' },
  pat: { id: 'U0PAT', name: 'pat' },
  kim: { id: 'U0KIM', name: 'kim' },
};
const CHANNELS: Record<Channel, string> = { A: 'C0SPRING', B: 'C0OTHER', NEW: 'C0AUTUMN' };

const t = useTestDb();
let h: SlackHarness;
let deps: CoreDeps;

async function deliver(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await deliverDue(t.db, new Map([['slack' as const, h.platform.port]]), deps.clock.now(), { workerId: 'w1' });
    if (r.sent + r.retried + r.dead === 0) return;
  }
}

/** What the person saw after a request: the replies to its response_url, or a modal opening. */
async function outcome(target: string, callsBefore: number, channel: string): Promise<Seen> {
  const deadline = Date.now() + 5000;
  const later = () => h.fake.calls.slice(callsBefore).filter((c) => c.status === 200 && !c.error);
  while (!later().some((c) => (c.method === 'response_url' && c.target === target) || c.method === 'views.open')) {
    if (Date.now() > deadline) throw new Error(`nothing answered; calls: ${later().map((c) => c.method).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 60));
  if (later().some((c) => c.method === 'views.open')) return { text: '', form: true, buttons: [], ref: null };
  const replies = later().filter((c) => c.method === 'response_url' && c.target === target);
  const withButtons = replies.find((c) => buttonsOf(c.args).length > 0);
  const ref: ClickableMessage | null = withButtons ? { channel, ts: `1700000000.${target.replace(/\D/g, '').padStart(6, '0')}`, blocks: withButtons.args.blocks, ephemeral: true } : null;
  return { text: replies.map((c) => visibleText(c.args)).join('\n'), form: false, buttons: withButtons ? buttonsOf(withButtons.args).map((b) => b.label) : [], ref };
}

const driver: Driver = {
  async command(by, step) {
    const channel = CHANNELS[step.channel ?? 'A'];
    const text = step.slack[1].replace(/@(\w+)/g, (_m, who: Person) => `<@${PEOPLE[who].id}|${PEOPLE[who].name}>`);
    const responseUrl = h.fake.responseUrl();
    const target = responseUrl.split('/').pop()!;
    const before = h.fake.calls.length;
    const res = await h.send(slashCommand({ command: step.slack[0], text, user: PEOPLE[by], channelId: channel, responseUrl }));
    expect(res.status).toBe(200);
    if (res.json) return { text: visibleText(res.json), form: false, buttons: [], ref: null };
    return outcome(target, before, channel);
  },
  async click(by, on, label) {
    const message = on.ref as ClickableMessage;
    const responseUrl = h.fake.responseUrl();
    const target = responseUrl.split('/').pop()!;
    const before = h.fake.calls.length;
    const res = await h.send(clickButton({ message, label, user: PEOPLE[by], responseUrl }));
    expect(res.status).toBe(200);
    return outcome(target, before, message.channel);
  },
  async roundPost() {
    const post = h.fake.messagesIn(CHANNELS.A).filter((m) => m.metadata?.event_type === 'mentorbot_round' && !m.thread_ts).at(-1)!;
    return { text: visibleText(post), form: false, buttons: buttonsOf(post).map((b) => b.label), ref: structuredClone(post) };
  },
  async alert() {
    const alert = h.fake.messagesIn(`D${PEOPLE.mentor.id}`).filter((m) => visibleText(m).includes('may be stalling')).at(-1)!;
    return { text: visibleText(alert), form: false, buttons: buttonsOf(alert).map((b) => b.label), ref: structuredClone(alert) };
  },
  async ping() {
    await deliver();
    const dm = h.fake.messagesIn(`D${PEOPLE.mentor.id}`).filter((m) => visibleText(m).includes('Answer it here')).at(-1)!;
    return { text: visibleText(dm), form: false, buttons: buttonsOf(dm).map((b) => b.label), ref: structuredClone(dm) };
  },
  async at(iso) {
    deps.clock.freeze(new Date(iso));
    await runTick(deps, deps.clock.now());
    await deliver();
  },
};

describe('permissions on Slack: every command and button, as each kind of person', () => {
  beforeAll(async () => {
    const admins: AdminId[] = [{ platform: 'slack', userId: PEOPLE.organizer.id }];
    deps = await realDeps(t.db, admins, '2026-03-01T12:00:00Z');
    h = await startSlackHarness({ core: createCore(deps), db: t.db, adminIds: admins });
    for (const p of Object.values(PEOPLE)) h.fake.addUser({ id: p.id, name: p.name, real_name: p.name });
    await setUp(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('each may do only what their role allows; refusals change nothing; no one sees another learner’s answers', async () => {
    expectPrivacy(await walk(driver, t.db));
  });

  it('a learner sees, downloads and deletes their data; the round count follows', async () => {
    const view = await driver.command('li', { slack: ['/mydata', ''], discord: { name: 'mydata' } });
    expect(view.text).toContain('What I keep about you');
    expect(view.text).toContain('li-secret-blocker-two');
    expect(view.buttons).toEqual(['Download', 'Delete my data…']);

    const download = await driver.click('li', view, 'Download');
    expect(download.text).toContain('On its way');
    await deliver();
    const dm = h.fake.messagesIn(`D${PEOPLE.li.id}`).filter((m) => visibleText(m).startsWith('Everything I keep about you'));
    expect(dm).toHaveLength(1);

    const ask = await driver.click('li', view, 'Delete my data…');
    expect(ask.text).toContain('Nobody, organizers included, can undo this.');
    const done = await driver.click('li', ask, 'Yes, delete my data');
    expect(done.text).toContain('Deleted: 2 check-ins');
    expect(done.text).toContain('You have left *Spring*');
    await deliver();
    const post = await driver.roundPost();
    expect(post.text).toMatch(/1 of 1 checked in/);
    expect((await driver.command('li', { slack: ['/mydata', ''], discord: { name: 'mydata' } })).text).toContain('I keep nothing about you');
    // Her mentor's view of her is gone with her.
    const alert = await driver.alert();
    expect(alert.text).not.toContain('li-secret');
    expect(alert.text).toContain('former learner');
  });
});
