import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDb } from '../../helpers/db.js';
import { BOT_USER_ID, TEAM_ID, buttonsOf, visibleText } from '../../helpers/fake-slack.js';
import {
  appHomeOpened,
  appMention,
  clickButton,
  clickHomeButton,
  sign,
  slashCommand,
  submitModal,
  urlVerification,
} from '../../helpers/slack-requests.js';
import { fakeCore, type FakeCore } from './fake-core.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

const maria = { id: 'U0MARIA', name: 'maria' };
const omar = { id: 'U0OMAR', name: 'omar' };
const CHANNEL = 'C0COHORT';

describe('Slack over signed HTTP (adapter with a scripted core)', () => {
  const t = useTestDb();
  let h: SlackHarness;
  let core: FakeCore;

  beforeAll(async () => {
    core = fakeCore();
    h = await startSlackHarness({ core, db: t.db, adminIds: [{ platform: 'slack', userId: omar.id }] });
    h.fake.addUser({ id: maria.id, name: 'maria', real_name: 'Maria Lopez', display_name: 'Maria' });
    h.fake.addUser({ id: omar.id, name: 'omar', real_name: 'Omar Haddad' });
    h.fake.addUser({ id: 'U0OWNER', name: 'olga', real_name: 'Olga', is_owner: true });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await t.reset();
    h.fake.reset();
    core.calls.length = 0;
    for (const k of Object.keys(core.replies)) delete core.replies[k as keyof FakeCore['replies']];
  });

  const command = (cmd: string, text: string, user = maria, channelId = CHANNEL) =>
    slashCommand({ command: cmd, text, user, channelId, responseUrl: h.fake.responseUrl() });

  describe('signatures', () => {
    it('rejects a request signed with another secret: 401, nothing reaches the core or Slack', async () => {
      const res = await h.send(command('/faq', 'how long?'), { secret: 'ffffffffffffffffffffffffffffffff' });
      expect(res.status).toBe(401);
      expect(core.calls).toEqual([]);
      expect(h.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    });

    it('rejects a correctly signed request older than five minutes (replay)', async () => {
      const old = Math.floor(Date.now() / 1000) - 6 * 60;
      const res = await h.send(command('/faq', 'how long?'), { timestamp: old });
      expect(res.status).toBe(401);
      expect(core.calls).toEqual([]);
    });

    it('rejects a body changed after signing', async () => {
      const req = command('/cohort', 'join');
      const ts = Math.floor(Date.now() / 1000);
      const res = await h.send({ ...req, body: req.body.replace('join', 'pause') }, { timestamp: ts, signature: sign(req.body, ts) });
      expect(res.status).toBe(401);
      expect(core.calls).toEqual([]);
    });

    it('rejects a request with no signature headers', async () => {
      const res = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"event_callback"}' });
      expect(res.status).toBe(401);
    });

    it('answers the URL verification challenge when the request URL is saved', async () => {
      const res = await h.send(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    });

    it('serves /slack/events on the same server as the other routes', async () => {
      const res = await fetch(`${h.baseUrl}/nope`);
      expect(res.status).toBe(404);
      expect(h.platform.state()).toBe('connected');
    });
  });

  describe('slash commands', () => {
    it('parses the text, calls the core once with who and where, and answers privately through response_url', async () => {
      const res = await h.send(command('/progress', '<@U0LEARN2|li>', omar));
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const answer = await h.fake.waitFor('response_url');
      expect(answer.args).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'ran progress' });
      expect(core.calls).toEqual([
        {
          fn: 'command',
          actor: { platform: 'slack', userId: omar.id, displayName: 'Omar Haddad', isAdmin: true, workspaceId: TEAM_ID },
          place: { channelId: CHANNEL },
          command: { name: 'progress', user: { id: 'U0LEARN2', name: 'li' } },
        },
      ]);
    });

    it.each([
      ['/checkin', 'maybe', /"maybe" is not a status/, /\/checkin on-track\|behind\|blocked\|done/],
      ['/progress', 'li', /"li" is not a mention/, /\/progress @user/],
      ['/faq', '', /Ask a question after \/faq/, /\/faq <question>/],
      ['/away', 'next week', /"next week" is not a date/, /\/away YYYY-MM-DD/],
      ['/cohort', 'create name:Spring program:ds-to-mle', /Missing start:, day:, time:, tz:/, /\/cohort create name:/],
      ['/cohort', 'add li', /"li" is not a mention/, /\/cohort add @user/],
      ['/cohort', 'dance', /"dance" is not a \/cohort subcommand/, /\/cohort join/],
      ['/stalled', 'now', /takes no options/, /\/stalled/],
    ])('%s %s: answers at once, privately, with what was wrong and the usage; the core is not called', async (cmd, text, problem, usage) => {
      const res = await h.send(command(cmd, text));
      expect(res.status).toBe(200);
      expect(res.json.response_type).toBe('ephemeral');
      const shown = visibleText(res.json);
      expect(shown).toMatch(problem);
      expect(shown).toMatch(usage);
      expect(core.calls).toEqual([]);
    });

    it('decodes Slack escaping in the command text', async () => {
      await h.send(command('/faq', 'is CI &amp; CD &lt;hard&gt;?'));
      await h.fake.waitFor('response_url');
      expect(core.calls[0]).toMatchObject({ command: { name: 'faq', question: 'is CI & CD <hard>?' } });
    });

    it('counts a workspace owner as an admin, and a plain member not', async () => {
      await h.send(command('/cohort', 'pause', { id: 'U0OWNER', name: 'olga' }));
      await h.send(command('/cohort', 'pause', maria));
      await h.fake.waitFor('response_url', () => h.fake.callsOf('response_url').length === 2);
      const admins = core.calls.map((c) => (c.fn === 'command' ? [c.actor.userId, c.actor.isAdmin] : null));
      expect(admins).toEqual(expect.arrayContaining([['U0OWNER', true], [maria.id, false]]));
    });

    it('posts a public reply in the channel through response_url', async () => {
      core.replies.command = () => ({ kind: 'message', message: { text: '**Spring** is paused.', private: false } });
      await h.send(command('/cohort', 'pause', omar));
      const answer = await h.fake.waitFor('response_url');
      expect(answer.args).toMatchObject({ response_type: 'in_channel', text: '*Spring* is paused.' });
    });

    it('opens a form as a modal with the trigger id of the command', async () => {
      core.replies.command = () => ({
        kind: 'form',
        form: { id: 'checkin', title: 'Week 2 check-in', submitLabel: 'Save', state: '9', fields: [{ id: 'status', label: 'Status', kind: 'select', options: [{ value: 'done', label: 'Done' }], optional: false }] },
      });
      const req = command('/checkin', '');
      const trigger = new URLSearchParams(req.body).get('trigger_id');
      await h.send(req);
      const open = await h.fake.waitFor('views.open');
      expect(open.args.trigger_id).toBe(trigger);
      expect(open.args.view).toMatchObject({ type: 'modal', title: { text: 'Week 2 check-in' }, submit: { text: 'Save' } });
      expect(JSON.parse(open.args.view.private_metadata)).toEqual({ s: '9', c: CHANNEL });
    });

    it('apologises privately when the core fails, without leaking the error', async () => {
      core.replies.command = () => {
        throw new Error('connection terminated unexpectedly');
      };
      await h.send(command('/stalled', ''));
      const answer = await h.fake.waitFor('response_url');
      expect(answer.args.response_type).toBe('ephemeral');
      expect(answer.args.text).toMatch(/Something went wrong on our side/);
      expect(answer.args.text).not.toMatch(/connection terminated/);
    });
  });

  describe('answering within Slack’s 3 seconds', () => {
    const slowly = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

    it('acknowledges a command before the core has answered, and delivers the answer afterwards', async () => {
      core.replies.command = () => slowly(1500, { kind: 'message', message: { text: 'slow answer', private: true } });
      const started = Date.now();
      const res = await h.send(command('/stalled', ''));
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(h.fake.callsOf('response_url')).toEqual([]);
      const answer = await h.fake.waitFor('response_url');
      expect(answer.args.text).toBe('slow answer');
    });

    it('closes a modal in time when saving is slow, and still confirms the save', async () => {
      core.replies.submitForm = () => slowly(3000, { kind: 'message', message: { text: 'saved late', private: true } });
      const view = {
        callback_id: 'mentorbot-form:checkin',
        private_metadata: JSON.stringify({ s: '5', c: CHANNEL }),
        blocks: [{ type: 'input', block_id: 'note', label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'note' } }],
      };
      const started = Date.now();
      const res = await h.send(submitModal({ view, answers: { note: 'x' }, user: maria }));
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2900);
      const confirm = await h.fake.waitFor('chat.postEphemeral');
      expect(confirm.args.text).toBe('saved late');
    });
  });

  describe('buttons', () => {
    const posted = (blocks: any[], channel = CHANNEL) => ({ channel, ts: '1800000001.000001', text: 'post', blocks });
    const roundBlocks = [
      { type: 'section', text: { type: 'mrkdwn', text: '*Week 1*' } },
      {
        type: 'actions',
        block_id: 'mentorbot-actions-0',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'On track' }, action_id: 'checkin.status:0', value: '5:on-track' },
          { type: 'button', text: { type: 'plain_text', text: 'Details…' }, action_id: 'checkin.details:1', value: '5' },
        ],
      },
    ];

    it('passes the action and its value to the core and answers privately', async () => {
      const res = await h.send(clickButton({ message: posted(roundBlocks), label: 'On track', user: maria, responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(200);
      const answer = await h.fake.waitFor('response_url');
      expect(answer.args).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'clicked checkin.status 5:on-track' });
      expect(core.calls[0]).toMatchObject({ fn: 'action', action: 'checkin.status', value: '5:on-track', place: { channelId: CHANNEL, messageId: '1800000001.000001' } });
    });

    it('edits the clicked message with chat.update and shows the notice privately', async () => {
      h.fake.messages.push({ channel: 'D0OMAR', ts: '1800000009.000009', text: 'alert', blocks: [], user: BOT_USER_ID });
      core.replies.action = () => ({ kind: 'update', message: { text: 'Acknowledged by Omar' }, notice: { text: 'You took this one.' } });
      const alert = posted([{ type: 'actions', block_id: 'mentorbot-actions-0', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, action_id: 'flag.ack:0', value: '3' }] }], 'D0OMAR');
      await h.send(clickButton({ message: { ...alert, ts: '1800000009.000009' }, label: 'Acknowledge', user: omar, responseUrl: h.fake.responseUrl() }));
      const update = await h.fake.waitFor('chat.update');
      expect(update.args).toMatchObject({ channel: 'D0OMAR', ts: '1800000009.000009', text: 'Acknowledged by Omar' });
      const notice = await h.fake.waitFor('response_url');
      expect(notice.args).toMatchObject({ response_type: 'ephemeral', text: 'You took this one.' });
    });

    it('replaces an ephemeral message through response_url (it cannot be edited by id)', async () => {
      core.replies.action = () => ({ kind: 'update', message: { text: 'Thanks for the feedback.' } });
      const answer = posted([{ type: 'actions', block_id: 'mentorbot-actions-0', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Helpful' }, action_id: 'faq.helpful:0', value: '77' }] }]);
      await h.send(clickButton({ message: { ...answer, ephemeral: true }, label: 'Helpful', user: maria, responseUrl: h.fake.responseUrl() }));
      const replaced = await h.fake.waitFor('response_url');
      expect(replaced.args).toMatchObject({ replace_original: true, text: 'Thanks for the feedback.' });
      expect(h.fake.callsOf('chat.update')).toEqual([]);
    });

    it('opens the form from a Details… click with that click’s trigger id', async () => {
      core.replies.action = () => ({ kind: 'form', form: { id: 'checkin', title: 'Week 1 check-in', submitLabel: 'Save', state: '5', fields: [{ id: 'note', label: 'Note', kind: 'textarea', optional: true }] } });
      const req = clickButton({ message: posted(roundBlocks), label: 'Details…', user: maria, responseUrl: h.fake.responseUrl() });
      await h.send(req);
      const open = await h.fake.waitFor('views.open');
      expect(open.args.trigger_id).toBe(JSON.parse(new URLSearchParams(req.body).get('payload')!).trigger_id);
    });

    it('re-renders the App Home after a click there', async () => {
      core.replies.action = () => ({ kind: 'update', message: { text: 'Resolved' } });
      const home = { blocks: [{ type: 'actions', block_id: 'mentorbot-actions-0', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Resolve' }, action_id: 'flag.resolve:0', value: '4' }] }] };
      await h.send(clickHomeButton({ view: home, label: 'Resolve', user: omar }));
      const publish = await h.fake.waitFor('views.publish');
      expect(publish.args.user_id).toBe(omar.id);
      expect(core.calls.map((c) => c.fn)).toEqual(['action', 'home']);
    });
  });

  describe('modal submission', () => {
    const view = {
      id: 'V0FORM',
      callback_id: 'mentorbot-form:checkin',
      private_metadata: JSON.stringify({ s: '5', c: CHANNEL }),
      title: { type: 'plain_text', text: 'Week 1 check-in' },
      blocks: [
        { type: 'input', block_id: 'status', label: { type: 'plain_text', text: 'Status' }, element: { type: 'static_select', action_id: 'status', options: [{ text: { type: 'plain_text', text: 'Blocked' }, value: 'blocked' }] } },
        { type: 'input', block_id: 'confidence', label: { type: 'plain_text', text: 'Confidence' }, optional: true, element: { type: 'static_select', action_id: 'confidence', options: ['1', '2'].map((v) => ({ text: { type: 'plain_text', text: v }, value: v })) } },
        { type: 'input', block_id: 'blocker', label: { type: 'plain_text', text: 'Blocker' }, optional: true, element: { type: 'plain_text_input', action_id: 'blocker' } },
      ],
    };

    it('hands the values and the state to the core, closes the modal and confirms privately in the channel', async () => {
      const res = await h.send(submitModal({ view, answers: { status: 'blocked', confidence: '2', blocker: 'docker' }, user: maria }));
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(core.calls[0]).toMatchObject({ fn: 'submitForm', state: '5', values: { status: 'blocked', confidence: '2', blocker: 'docker' }, place: { channelId: CHANNEL } });
      const confirm = await h.fake.waitFor('chat.postEphemeral');
      expect(confirm.args).toMatchObject({ channel: CHANNEL, user: maria.id, text: 'saved' });
    });

    it('keeps the modal open with each problem next to its field', async () => {
      core.replies.submitForm = () => ({ kind: 'form-errors', errors: { confidence: 'Confidence must be a whole number from 1 to 5.' }, message: { text: 'x', private: true } });
      const res = await h.send(submitModal({ view, answers: { status: 'blocked', confidence: '1' }, user: maria }));
      expect(res.json).toEqual({ response_action: 'errors', errors: { confidence: 'Confidence must be a whole number from 1 to 5.' } });
      expect(h.fake.callsOf('chat.postEphemeral')).toEqual([]);
    });

    it('answers by DM when the bot cannot post in the channel', async () => {
      h.fake.fail('chat.postEphemeral', 'channel_not_found');
      await h.send(submitModal({ view, answers: { status: 'blocked' }, user: maria }));
      const dm = await h.fake.waitFor('chat.postMessage');
      expect(dm.args).toMatchObject({ channel: maria.id, text: 'saved' });
    });

    it('refuses a form whose metadata it did not write', async () => {
      const res = await h.send(submitModal({ view: { ...view, private_metadata: '5' }, answers: { status: 'blocked' }, user: maria }));
      expect(res.json.response_action).toBe('errors');
      expect(core.calls).toEqual([]);
    });
  });

  describe('events', () => {
    it('answers a mention in a thread under the question', async () => {
      const mention = appMention({ user: maria, channelId: CHANNEL, text: 'how long does the move take?' });
      const res = await h.send(mention);
      expect(res.status).toBe(200);
      const reply = await h.fake.waitFor('chat.postMessage');
      expect(reply.args).toMatchObject({ channel: CHANNEL, thread_ts: mention.ts, text: 'you asked: how long does the move take?' });
      expect(core.calls[0]).toMatchObject({ fn: 'mention', text: 'how long does the move take?', place: { channelId: CHANNEL, messageId: mention.ts } });
    });

    it('handles an event Slack retries only once', async () => {
      const mention = appMention({ user: maria, channelId: CHANNEL, text: 'what is k8s?' });
      await h.send(mention);
      await h.fake.waitFor('chat.postMessage');
      const retry = await h.send(mention, { retryNum: 1, retryReason: 'http_timeout' });
      expect(retry.status).toBe(200);
      const again = await h.send(mention, { retryNum: 2, retryReason: 'http_timeout' });
      expect(again.status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(core.calls.filter((c) => c.fn === 'mention')).toHaveLength(1);
      expect(h.fake.callsOf('chat.postMessage')).toHaveLength(1);
      const rows = await t.db.selectFrom('processed_events').selectAll().execute();
      expect(rows.map((r) => r.event_id)).toEqual([mention.eventId]);
    });

    it('handles an event once across replicas: the same delivery reaching two servers on one database', async () => {
      const other = await startSlackHarness({ core, db: await t.connectAgain(), fake: h.fake });
      try {
        const mention = appMention({ user: maria, channelId: CHANNEL, text: 'what is drift?' });
        const [a, b] = await Promise.all([h.send(mention), other.send(mention, { retryNum: 1, retryReason: 'http_timeout' })]);
        expect([a.status, b.status]).toEqual([200, 200]);
        await h.fake.waitFor('chat.postMessage');
        await new Promise((r) => setTimeout(r, 200));
        expect(core.calls.filter((c) => c.fn === 'mention')).toHaveLength(1);
        expect(h.fake.callsOf('chat.postMessage')).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('publishes the App Home when it is opened', async () => {
      await h.send(appHomeOpened({ user: maria }));
      const publish = await h.fake.waitFor('views.publish');
      expect(publish.args.user_id).toBe(maria.id);
      expect(publish.args.view.type).toBe('home');
      expect(visibleText(publish.args.view)).toBe('*Home of Maria*');
      expect(buttonsOf(publish.args.view)).toEqual([]);
    });
  });
});
