import { InteractionResponseType, PermissionFlagsBits, type APIMessage } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realContent } from '../../helpers/engine.js';
import { expectPrivacy, setUp, walk, type Channel, type Driver, type Person, type Seen } from '../permissions/walk.js';
import { useDiscord } from './harness.js';
import { botMessage, buttonClick, CHANNEL_ID, chatInput, OTHER_CHANNEL_ID, person, type OptionValue, type TestUser } from './payloads.js';

const member = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.UseApplicationCommands;
const PEOPLE: Record<Person, TestUser> = {
  learner: person('2200000000000000101', 'maria', 'Maria'),
  mentor: person('2200000000000000102', 'nadia', 'Nadia'),
  otherMentor: person('2200000000000000103', 'bob', 'Bob'),
  organizer: person('2200000000000000104', 'omar', 'Omar', member | PermissionFlagsBits.ManageGuild),
  stranger: person('2200000000000000105', 'zed', 'Zed'),
  li: person('2200000000000000106', 'li', 'Li'),
  pat: person('2200000000000000107', 'pat', 'Pat'),
  kim: person('2200000000000000108', 'kim', 'Kim'),
};
const CHANNELS: Record<Channel, string> = { A: CHANNEL_ID, B: OTHER_CHANNEL_ID, NEW: '3300000000000000012' };

const t = useTestDb();
const clock = new Clock();
let deps: CoreDeps;
const h = useDiscord({
  core: async () => {
    const { content, faq } = await realContent();
    deps = { db: t.db, content, faq, clock, reminderAfterHours: 24, admins: [] };
    return createCore(deps);
  },
  content: async () => (await realContent()).content,
  ackAfterMs: 10_000,
});

async function deliver(): Promise<void> {
  const ports = new Map([['discord' as const, h.platform.port]]);
  for (let i = 0; i < 20; i++) {
    const r = await deliverDue(t.db, ports, clock.now(), { workerId: 'w1' });
    if (r.sent + r.retried + r.dead === 0) return;
  }
}

const buttonsIn = (components: any[] | undefined): Array<{ label: string; custom_id: string }> =>
  (components ?? []).flatMap((row: any) => row.components ?? []).filter((c: any) => c.custom_id && c.label);

/** What the person saw: the interaction's response (a message, an updated message or a modal) and its follow-ups. */
async function answer(payload: { id: string }, channelId: string): Promise<Seen> {
  await h.interact(payload);
  const [cb] = h.fake.callbacksFor(payload.id);
  expect(cb).toBeDefined();
  if (cb!.type === InteractionResponseType.Modal) return { text: '', form: true, buttons: [], ref: null };
  const followUps = h.fake.responses(cb!.token).filter((m) => !m.original);
  const text = [cb!.data?.content ?? '', ...followUps.map((m) => m.content)].filter(Boolean).join('\n');
  const components = cb!.data?.components ?? [];
  const ref = botMessage({ id: h.fake.id(), channel_id: channelId, content: cb!.data?.content ?? '', components });
  return { text, form: false, buttons: buttonsIn(components).map((b) => b.label), ref };
}

const driver: Driver = {
  async command(by, step) {
    const channelId = CHANNELS[step.channel ?? 'A'];
    const options: Record<string, OptionValue> = {};
    for (const [k, v] of Object.entries(step.discord.options ?? {})) options[k] = typeof v === 'string' ? v : PEOPLE[v.person];
    return answer(chatInput(step.discord.name, { by: PEOPLE[by], sub: step.discord.sub, options, channelId }), channelId);
  },
  async click(by, on, label) {
    const message = on.ref as APIMessage;
    const button = buttonsIn(message.components as any[]).find((b) => b.label === label);
    if (!button) throw new Error(`no button "${label}" on the message`);
    return answer(buttonClick(button.custom_id, message, { by: PEOPLE[by] }), message.channel_id);
  },
  async roundPost() {
    const post = h.fake.inChannel(CHANNEL_ID).filter((m) => m.content.startsWith('**Week ')).at(-1)!;
    return { text: post.content, form: false, buttons: buttonsIn(post.components as any[]).map((b) => b.label), ref: structuredClone(post) };
  },
  async alert() {
    const alert = h.fake.inChannel(h.fake.dmChannelOf(PEOPLE.mentor.user.id)!).filter((m) => m.content.includes('may be stalling')).at(-1)!;
    return { text: alert.content, form: false, buttons: buttonsIn(alert.components as any[]).map((b) => b.label), ref: structuredClone(alert) };
  },
  async ping() {
    await deliver();
    const dm = h.fake.inChannel(h.fake.dmChannelOf(PEOPLE.mentor.user.id)!).filter((m) => m.content.includes('Answer it here')).at(-1)!;
    return { text: dm.content, form: false, buttons: buttonsIn(dm.components as any[]).map((b) => b.label), ref: structuredClone(dm) };
  },
  async at(iso) {
    clock.freeze(new Date(iso));
    await runTick(deps, clock.now());
    await deliver();
  },
};

describe('permissions on Discord: every command and button, as each kind of person', () => {
  // The harness forgets the fake's messages before each test: each starts from its own history.
  beforeEach(async () => {
    await t.reset();
    clock.freeze(new Date('2026-03-01T12:00:00Z'));
    await setUp(driver);
  });

  it('each may do only what their role allows; refusals change nothing; no one sees another learner’s answers', async () => {
    expectPrivacy(await walk(driver, t.db));
  });

  it('/dashboard gives each member of a cohort a private one-time link, and a stranger how to join', async () => {
    deps.publicUrl = () => 'https://mentorbot.example.org';
    for (const role of ['learner', 'mentor', 'otherMentor', 'organizer'] as const) {
      const seen = await driver.command(role, { slack: ['/dashboard', ''], discord: { name: 'dashboard' } });
      expect(seen.text, role).toMatch(/^Your sign-in link to the dashboard: https:\/\/mentorbot\.example\.org\/signin\/[0-9a-f]{64}$/m);
    }
    expect((await driver.command('stranger', { slack: ['/dashboard', ''], discord: { name: 'dashboard' } })).text).toContain("you're not in one yet");
    const links = await t.db.selectFrom('dashboard_links').select(['platform', 'user_id', 'is_admin']).orderBy('user_id').execute();
    expect(links).toEqual(
      [PEOPLE.learner, PEOPLE.mentor, PEOPLE.otherMentor, PEOPLE.organizer]
        .map((p) => ({ platform: 'discord', user_id: p.user.id, is_admin: p === PEOPLE.organizer }))
        .sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it('a learner sees, downloads and deletes their data; the round count follows', async () => {
    expect((await driver.roundPost()).text).toMatch(/_1 of 2 checked in_$/);
    const view = await driver.command('li', { slack: ['/mydata', ''], discord: { name: 'mydata' } });
    expect(view.text).toContain('What I keep about you');
    expect(view.text).toContain('li-secret-blocker-two');
    expect(view.buttons).toEqual(['Download', 'Delete my data…']);

    expect((await driver.click('li', view, 'Download')).text).toContain('On its way');
    await deliver();
    const dm = h.fake.inChannel(h.fake.dmChannelOf(PEOPLE.li.user.id)!).filter((m) => m.content.startsWith('Everything I keep about you'));
    expect(dm).toHaveLength(1);

    const ask = await driver.command('li', { slack: ['/mydata', 'delete'], discord: { name: 'mydata', options: { action: 'delete' } } });
    expect(ask.text).toContain('Nobody, organizers included, can undo this.');
    const done = await driver.click('li', ask, 'Yes, delete my data');
    expect(done.text).toContain('Deleted: 2 check-ins');
    expect(done.text).toContain('You have left **Spring**');
    await deliver();
    expect((await driver.roundPost()).text).toMatch(/_0 of 1 checked in_$/);
    expect((await driver.command('li', { slack: ['/mydata', ''], discord: { name: 'mydata' } })).text).toContain('I keep nothing about you');
    const alert = await driver.alert();
    expect(alert.text).not.toContain('li-secret');
    expect(alert.text).toContain('former learner');
  });
});
