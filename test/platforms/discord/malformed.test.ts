import { Writable } from 'node:stream';
import { InteractionType } from 'discord-api-types/v10';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { useTestDb } from '../../helpers/db.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { chatInput } from './payloads.js';

const logged: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const t = useTestDb();
const core = new FakeCore(() => t.db);
const h = useDiscord({ core: () => core, content: () => loadContent('content'), log: pino({ level: 'error' }, sink) });

beforeEach(() => {
  core.reset();
  logged.length = 0;
});

describe('a payload discord.js cannot read', () => {
  it('is logged with what identifies it and dropped, and the next interaction is answered', async () => {
    const broken = { id: '1234567890123456789', type: InteractionType.ApplicationCommand, application_id: '1', token: 't', version: 1, data: null };
    await expect(h.interact(broken)).resolves.toBeUndefined();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ action: 'InteractionCreate', payload: { id: '1234567890123456789', type: 2 }, msg: 'dropped a discord gateway event that could not be read' });

    await h.interact(chatInput('checkin', { options: { status: 'done' } }));
    expect(h.fake.callbacks).toHaveLength(1);
    expect(h.fake.callbacks[0]!.data.content).toBe('ok');
  });
});
