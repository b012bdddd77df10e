import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { enqueueDueDigests } from '../../../src/core/digest.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { nonceFor } from '../../../src/platforms/discord/port.js';
import { createPngRenderer } from '../../../src/render/png.js';
import { useTestDb } from '../../helpers/db.js';
import { addMember, answer, at, content, makeCohort } from '../../core/stalls/fixtures.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { chatInput, SAM } from './payloads.js';

const t = useTestDb();
const core = new FakeCore(() => t.db);
const h = useDiscord({ core: () => core, content: () => loadContent('content') });
const digestAt = at(1, 150);

beforeEach(async () => {
  await t.reset();
  h.fake.reset();
  core.reset();
});

const posts = () => h.fake.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path));

describe('Discord: the digest heatmap is an attachment of the digest DM', () => {
  it('sends the PNG in the same message create (multipart, payload_json with the nonce), once', async () => {
    const cohort = await makeCohort(t.db, { weeks: 1, platform: 'discord' });
    await addMember(t.db, cohort.id, 'Sam', 'mentor', { userId: SAM.user.id });
    const maria = await addMember(t.db, cohort.id, 'Maria');
    await answer(t.db, cohort, maria, 1, 'blocked', 2);
    await enqueueDueDigests(t.db, content, digestAt, createPngRenderer());
    const stored = Buffer.from((await t.db.selectFrom('outbox_files').select('bytes').executeTakeFirstOrThrow()).bytes);

    const deliver = (now: Date) => deliverDue(t.db, new Map([['discord', h.platform.port]]), now, { workerId: 'w1' });
    expect(await deliver(digestAt)).toEqual({ sent: 1, retried: 0, dead: 0 });

    const [create] = posts();
    expect(create!.headers['content-type']).toContain('multipart/form-data');
    expect(create!.body).toMatchObject({ nonce: nonceFor('digest:1:1:1'), enforce_nonce: true, attachments: [{ id: 0, filename: 'spring-week-01.png' }] });
    expect(create!.body.content).toContain('Weekly digest · spring · week 1');
    expect(create!.body.files).toHaveLength(1);
    expect(create!.body.files[0]).toMatchObject({ name: 'spring-week-01.png', contentType: 'image/png' });
    expect(create!.body.files[0].bytes.equals(stored)).toBe(true);

    const dm = h.fake.dmChannelOf(SAM.user.id)!;
    const [message] = h.fake.inChannel(dm);
    expect(message!.attachments.map((a) => [a.filename, a.size])).toEqual([['spring-week-01.png', stored.length]]);

    // The same delivery again (a worker that died before recording it) is the same message: the nonce dedupes it, file and all.
    const again = await h.platform.port.sendDirect(SAM.user.id, { text: 'again' }, 'digest:1:1:1', [{ name: 'spring-week-01.png', contentType: 'image/png', bytes: stored }]);
    expect(again.messageId).toBe(message!.id);
    expect(h.fake.inChannel(dm)).toHaveLength(1);
  });
});

describe('Discord: a picture replaced on an edit', () => {
  it('lists only the new upload as the attachments to keep, so the old picture goes', async () => {
    const cohort = await makeCohort(t.db, { weeks: 1, platform: 'discord' });
    await addMember(t.db, cohort.id, 'Sam', 'mentor', { userId: SAM.user.id });
    await enqueueDueDigests(t.db, content, digestAt, createPngRenderer());
    await deliverDue(t.db, new Map([['discord', h.platform.port]]), digestAt, { workerId: 'w1' });
    const dm = h.fake.dmChannelOf(SAM.user.id)!;
    const [message] = h.fake.inChannel(dm);
    const before = message!.attachments.map((a) => a.id);

    await h.platform.port.updateMessage(dm, message!.id, { text: 'Weekly digest, without a learner', replaceFiles: true }, [{ name: 'spring-week-01.png', contentType: 'image/png', bytes: new Uint8Array([7, 7]) }]);
    const patch = h.fake.calls.filter((c) => c.method === 'PATCH').at(-1)!;
    expect(patch.headers['content-type']).toContain('multipart/form-data');
    expect(patch.body.attachments).toEqual([{ id: 0, filename: 'spring-week-01.png' }]);
    const [edited] = h.fake.inChannel(dm);
    expect(edited!.attachments.map((a) => [a.filename, a.size])).toEqual([['spring-week-01.png', 2]]);
    expect(edited!.attachments.some((a) => before.includes(a.id))).toBe(false);

    await h.platform.port.updateMessage(dm, message!.id, { text: 'Weekly digest, no picture', replaceFiles: true }, []);
    expect(h.fake.inChannel(dm)[0]!.attachments).toEqual([]);
    // An edit that does not replace files leaves attachments as they are.
    await h.platform.port.updateMessage(dm, message!.id, { text: 'Just the text' });
    expect(h.fake.calls.filter((c) => c.method === 'PATCH').at(-1)!.body.attachments).toBeUndefined();
  });
});

describe('Discord: /cohort report', () => {
  it('is a subcommand of /cohort and reaches the core as cohort.report', async () => {
    await h.interact(chatInput('cohort', { sub: 'report', by: SAM }));
    expect(core.calls.map((c) => (c.fn === 'command' ? c.command : c))).toEqual([{ name: 'cohort.report' }]);
  });
});
