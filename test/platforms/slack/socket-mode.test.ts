import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import { Clock } from '../../../src/core/clock.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { HttpServer } from '../../../src/http/server.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { createLogger } from '../../../src/log.js';
import { createSlackPlatform, type SlackPlatform } from '../../../src/platforms/slack/index.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { FakeSlack, visibleText } from '../../helpers/fake-slack.js';
import { appMention, clickButton, slashCommand, type Person, type SignedRequest } from '../../helpers/slack-requests.js';
import { slackEvents } from './slack-world.js';

const CHANNEL = 'C0SOCKET';
const APP_TOKEN = 'xapp-1-A0MENTORBOT-1-test';
const omar: Person = { id: 'U0OMAR', name: 'omar' };
const maria: Person = { id: 'U0MARIA', name: 'maria' };

/** What Slack sends over the socket is the same payload it would POST, as JSON. */
const formPayload = (req: SignedRequest) => Object.fromEntries(new URLSearchParams(req.body));
const interactivePayload = (req: SignedRequest) => JSON.parse(new URLSearchParams(req.body).get('payload')!);

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Socket Mode against a fake Slack that hands out its own WebSocket URL: Bolt's real
 * SocketModeReceiver connects, gets envelopes, acknowledges them, and reconnects when told to.
 */
describe('Slack over Socket Mode', () => {
  const t = useTestDb();
  let fake: FakeSlack;
  let http: HttpServer;
  let platform: SlackPlatform;
  let clock: Clock;
  let deps: CoreDeps;

  beforeAll(async () => {
    const admins: AdminId[] = [{ platform: 'slack', userId: omar.id }];
    deps = await realDeps(t.db, admins, '2026-03-01T12:00:00Z');
    clock = deps.clock;
    fake = await FakeSlack.start();
    fake.addUser({ id: omar.id, name: omar.name, real_name: 'Omar Haddad' });
    fake.addUser({ id: maria.id, name: maria.name, real_name: 'Maria Lopez' });
    const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false);
    http = new HttpServer(log);
    platform = await createSlackPlatform({
      config: { botToken: 'xoxb-test-token', signingSecret: null, appToken: APP_TOKEN, apiUrl: fake.apiUrl },
      adminIds: admins,
      core: createCore(deps),
      db: t.db,
      http,
      log,
    });
    await platform.start();
  });
  afterAll(async () => {
    await platform?.stop();
    await fake?.close();
  });

  async function slash(user: Person, command: string, text: string): Promise<string> {
    const responseUrl = fake.responseUrl();
    const ack = await fake.sendEnvelope('slash_commands', formPayload(slashCommand({ command, text, user, channelId: CHANNEL, responseUrl })));
    if (ack.payload && Object.keys(ack.payload).length > 0) return visibleText(ack.payload);
    const call = await fake.waitFor('response_url', (c) => c.target === responseUrl.split('/').pop());
    return visibleText(call.args);
  }

  it('opens its connection with the app token and reports itself connected', async () => {
    await fake.waitForConnections(1);
    expect(fake.callsOf('apps.connections.open').map((c) => c.token)).toEqual([APP_TOKEN]);
    await until(() => platform.state() === 'connected', 'the connected state');
  });

  it('answers a slash command sent over the socket and stores what it asked for', async () => {
    const created = await slash(omar, '/cohort', 'create name:Sockets program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    expect(created).toMatch(/Sockets/);
    expect(await slash(maria, '/cohort', 'join')).toMatch(/Sockets/);
    const cohort = await t.db.selectFrom('cohorts').selectAll().executeTakeFirstOrThrow();
    expect(cohort).toMatchObject({ name: 'Sockets', channel_id: CHANNEL, platform: 'slack' });
  });

  it('records a check-in from a button click sent over the socket', async () => {
    clock.freeze(new Date('2026-03-02T08:00:00Z'));
    await runTick(deps, clock.now());
    await deliverDue(t.db, new Map([['slack' as const, platform.port]]), clock.now(), { workerId: 'w1' });
    const post = fake.messagesIn(CHANNEL).find((m) => m.metadata?.event_type === 'mentorbot_round')!;
    expect(post).toBeDefined();

    const responseUrl = fake.responseUrl();
    const ack = await fake.sendEnvelope('interactive', interactivePayload(clickButton({ message: post, label: 'On track', user: maria, responseUrl })));
    expect(ack.envelope_id).toMatch(/^env-/);
    const answer = await fake.waitFor('response_url', (c) => c.target === responseUrl.split('/').pop());
    expect(visibleText(answer.args)).toMatch(/Recorded: \*On track\* for week 1/);
    const checkin = await t.db.selectFrom('checkins').selectAll().executeTakeFirstOrThrow();
    expect(checkin).toMatchObject({ status: 'on-track', source: 'button' });
  });

  it('answers a mention once, even when Slack delivers the same event again', async () => {
    const mention = appMention({ user: maria, channelId: CHANNEL, text: 'how long does the switch to MLE take?' });
    await fake.sendEnvelope('events_api', JSON.parse(mention.body));
    const reply = await fake.waitFor('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === mention.ts);
    expect(visibleText(reply.args)).toMatch(/How long does the move from data scientist to ML engineer take\?/);

    await fake.sendEnvelope('events_api', JSON.parse(mention.body));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === mention.ts)).toHaveLength(1);
  });

  it('reconnects when Slack asks it to and when the connection drops, and keeps working', async () => {
    fake.askToReconnect();
    await until(() => fake.callsOf('apps.connections.open').length >= 2 && fake.openConnections().length >= 1, 'a reconnection on request');
    fake.dropConnections();
    await until(() => fake.callsOf('apps.connections.open').length >= 3 && fake.openConnections().length >= 1, 'a reconnection after a drop', 20_000);
    await until(() => platform.state() === 'connected', 'the connected state again');
    expect(await slash(maria, '/checkin', 'behind slow week')).toMatch(/Updated: \*Behind\*/);
  }, 30_000);

  it('hears a member leave the channel over the socket as it would over HTTP', async () => {
    await fake.sendEnvelope('events_api', JSON.parse(slackEvents.memberLeft(maria.id, CHANNEL).body));
    const leftAt = async () => (await t.db.selectFrom('members').select(['left_at', 'left_reason']).where('user_id', '=', maria.id).executeTakeFirstOrThrow()).left_reason;
    const deadline = Date.now() + 5000;
    while ((await leftAt()) === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await leftAt()).toBe('left-channel');
  });
});
