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
import { issueLink } from '../../../src/core/dashboard/signin.js';
import { createLogger } from '../../../src/log.js';
import { buildDashboard } from '../../../src/web/app.js';
import { expectPagePrivacy, expectPrivacy, LI_SECRETS, ROLES, setUp, walk, walkPages, type Channel, type Driver, type Person, type Seen, type Visitor, type WebDriver } from '../permissions/walk.js';
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
let core: ReturnType<typeof createCore>;

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
  await h.settled();
  while (!later().some((c) => (c.method === 'response_url' && c.target === target) || c.method === 'views.open')) {
    if (Date.now() > deadline) throw new Error(`nothing answered; calls: ${later().map((c) => c.method).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Any further replies to the same request (a message's thread parts) come before its processing ends.
  await h.settled();
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
    core = createCore(deps);
    h = await startSlackHarness({ core, db: t.db, adminIds: admins });
    for (const p of Object.values(PEOPLE)) h.fake.addUser({ id: p.id, name: p.name, real_name: p.name });
    await setUp(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('each may do only what their role allows; refusals change nothing; no one sees another learner’s answers', async () => {
    expectPrivacy(await walk(driver, t.db));
  });

  it('the dashboard: /dashboard over signed HTTP gives each member a link; every route serves only whom it should', async () => {
    const dash = await buildDashboard({ core, log: createLogger('silent', false), publicUrl: h.baseUrl });
    h.http.mountFallback(dash);
    deps.publicUrl = () => h.baseUrl;
    try {
      const jars = new Map<Visitor, Map<string, string>>();
      const keep = (who: Visitor, res: Response) => {
        const jar = jars.get(who) ?? new Map<string, string>();
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const at = pair!.indexOf('=');
          jar.set(pair!.slice(0, at), pair!.slice(at + 1));
        }
        jars.set(who, jar);
      };
      const cookie = (who: Visitor) => [...(jars.get(who) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const role of ROLES) {
        const reply = await driver.command(role, { slack: ['/dashboard', ''], discord: { name: 'dashboard' } });
        let link = /https?:\/\/\S+\/signin\/[0-9a-f]{64}/.exec(reply.text)?.[0];
        if (role === 'stranger') {
          expect(link).toBeUndefined();
          expect(reply.text).toContain("you're not in one yet");
          // A session a stranger may still hold: someone removed from their cohort after signing in.
          const issued = await issueLink(t.db, { platform: 'slack', userId: PEOPLE.stranger.id, displayName: 'zed', isAdmin: false }, deps.clock.now());
          link = 'token' in issued ? `${h.baseUrl}/signin/${issued.token}` : undefined;
        }
        const res = await fetch(link!, { redirect: 'manual' });
        expect(res.status, role).toBe(303);
        keep(role, res);
      }
      const web: WebDriver = {
        async request(who, method, path) {
          let body: string | undefined;
          if (method === 'POST') {
            const page = await fetch(`${h.baseUrl}/cohorts`, { headers: { cookie: cookie(who) } });
            keep(who, page);
            const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
            body = new URLSearchParams({ _csrf: token }).toString();
          }
          const res = await fetch(`${h.baseUrl}${path}`, {
            method,
            redirect: 'manual',
            headers: { cookie: cookie(who), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
            body,
          });
          keep(who, res);
          return { status: res.status, body: await res.text() };
        },
      };
      const cohort = (name: string) => t.db.selectFrom('cohorts').select('id').where('name', '=', name).executeTakeFirstOrThrow();
      const member = (who: Person) => t.db.selectFrom('members').select(['id', 'cohort_id']).where('user_id', '=', PEOPLE[who].id).where('role', '=', 'learner').executeTakeFirstOrThrow();
      const li = await member('li');
      // li's alert was resolved in the chat walk; the dashboard gets an open flag of its own to act on.
      await t.db.updateTable('stall_flags').set({ status: 'resolved', resolution: 'mentor', resolved_at: deps.clock.now() }).where('member_id', '=', li.id).where('status', '<>', 'resolved').execute();
      const flag = await t.db
        .insertInto('stall_flags')
        .values({ member_id: li.id, cohort_id: li.cohort_id, reasons: JSON.stringify([{ code: 'blocked-often', text: 'answered “blocked” in 2 of the last 3 check-ins' }]), opened_at: deps.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const ids = { cohortA: (await cohort('Spring')).id, cohortB: (await cohort('Other')).id, learner: (await member('learner')).id, li: li.id, flag: flag.id };
      expectPagePrivacy(await walkPages(web, t.db, ids));
      expect(LI_SECRETS.length).toBeGreaterThan(0);
      const record = await t.db.selectFrom('audit_log').select(['action', 'actor_id', 'via']).where('detail', '=', `flag ${flag.id}`).orderBy('id').execute();
      expect(record).toEqual([
        { action: 'flag.acknowledge', actor_id: PEOPLE.mentor.id, via: 'dashboard' },
        { action: 'flag.resolve', actor_id: PEOPLE.mentor.id, via: 'dashboard' },
      ]);
    } finally {
      await dash.close();
    }
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
