import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { FakeDiscord } from '../../helpers/fake-discord.js';
import { useTestDb } from '../../helpers/db.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { CHANNEL_ID, MARIA, userMessage } from './payloads.js';
import { BOT_USER } from '../../helpers/fake-discord.js';

const t = useTestDb();
const core = new FakeCore(() => t.db);
const h = useDiscord({ core: () => core, content: () => loadContent('content') });

const answer = {
  kind: 'message' as const,
  message: {
    text: '**How long does the move take?**\nMost people need 9 to 18 months.',
    buttons: [
      { action: 'faq.helpful' as const, label: 'Helpful', value: '5' },
      { action: 'faq.unhelpful' as const, label: 'Not helpful', value: '5' },
    ],
  },
};

beforeEach(() => {
  core.reset();
  core.answer = () => answer;
});

describe('mentioning the bot', () => {
  it('answers in a thread started on the question, without the mention in the question', async () => {
    const msg = userMessage(`<@${BOT_USER.id}> how long does the move to MLE take?`);
    await h.message(msg);
    expect(core.calls).toEqual([
      expect.objectContaining({ fn: 'mention', text: 'how long does the move to MLE take?', place: { channelId: CHANNEL_ID, messageId: msg.id } }),
    ]);
    expect(core.calls[0]!.actor).toMatchObject({ platform: 'discord', userId: MARIA.user.id, displayName: 'Maria' });
    const thread = h.fake.threads.get(msg.id);
    expect(thread).toMatchObject({ name: 'how long does the move to MLE take?' });
    const posted = h.fake.inChannel(thread!.id);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.content).toBe(answer.message.text);
    expect(posted[0]!.components).toHaveLength(1);
    expect(h.fake.inChannel(CHANNEL_ID)).toEqual([]);
  });

  it('a mention delivered twice (two gateway sessions during a handover) is handled and answered once', async () => {
    const msg = userMessage(`<@${BOT_USER.id}> what is MLOps?`);
    await h.message(msg);
    await h.message(msg);
    expect(core.calls).toHaveLength(1);
    expect(h.fake.messages).toHaveLength(1);
  });

  it('replies in the channel when a thread cannot be started', async () => {
    h.fake.failNext({ method: 'POST', path: /\/threads$/ }, FakeDiscord.error(403, 50013, 'Missing Permissions'));
    const msg = userMessage(`<@${BOT_USER.id}> what is drift?`);
    await h.message(msg);
    const posted = h.fake.inChannel(CHANNEL_ID);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.content).toBe(answer.message.text);
    expect(posted[0]!.message_reference).toMatchObject({ message_id: msg.id });
  });

  it('ignores messages that do not mention the bot, and other bots', async () => {
    await h.message(userMessage('how long does it take?', { mentionsBot: false }));
    await h.message({ ...userMessage(`<@${BOT_USER.id}> hi`), author: { ...BOT_USER, id: '1100000000000000099', username: 'otherbot' } });
    expect(core.calls).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });
});
