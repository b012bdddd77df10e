import { MessageFlags } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import { createCore } from '../../../src/core/create-core.js';
import { createDb, type DbHandle } from '../../../src/db/connect.js';
import { realContent } from '../../helpers/engine.js';
import { BOT_USER } from '../../helpers/fake-discord.js';
import { useDiscord } from './harness.js';
import { chatInput, userMessage } from './payloads.js';

// Postgres gone: nothing listens on the port, every query is refused.
let broken: DbHandle | undefined;
afterAll(() => broken?.close());

const h = useDiscord({
  core: async () => {
    broken = await createDb({ databaseUrl: 'postgres://mentorbot@127.0.0.1:9/gone', dataDir: null });
    const { content, faq } = await realContent();
    return createCore({ db: broken.db, content, faq, clock: new Clock(), reminderAfterHours: 24, admins: [] });
  },
  content: async () => (await realContent()).content,
  ackAfterMs: 10_000,
});

describe('with the database unavailable', () => {
  it('a command still gets a private answer saying it did not go through, not silence', async () => {
    const payload = chatInput('checkin', { options: { status: 'done' } });
    await h.interact(payload);
    const [cb] = h.fake.callbacksFor(payload.id);
    expect(cb!.data.content).toMatch(/couldn't save|went wrong/i);
    expect(cb!.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  });

  it('a mention still gets an answer in its thread', async () => {
    const msg = userMessage(`<@${BOT_USER.id}> how long does the move take?`);
    await h.message(msg);
    expect(h.fake.inChannel(msg.id)).toHaveLength(1);
  });
});
