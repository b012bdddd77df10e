import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueDueDigests } from '../../../src/core/digest.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { BOT_SCOPES } from '../../../src/platforms/slack/manifest.js';
import { createPngRenderer } from '../../../src/render/png.js';
import { useTestDb } from '../../helpers/db.js';
import { visibleText } from '../../helpers/fake-slack.js';
import { addMember, answer, at, content, makeCohort } from '../../core/stalls/fixtures.js';
import { fakeCore } from './fake-core.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

describe('Slack: the digest heatmap is uploaded into the digest DM’s thread', () => {
  const t = useTestDb();
  let h: SlackHarness;
  const digestAt = at(1, 150);
  const deliver = (now = digestAt) => deliverDue(t.db, new Map([['slack', h.platform.port]]), now, { workerId: 'w1' });

  beforeAll(async () => {
    h = await startSlackHarness({ core: fakeCore(), db: t.db });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await t.reset();
    h.fake.reset();
    // The fake answers as Slack would for an app installed with our manifest's scopes.
    h.fake.grantedScopes = new Set(BOT_SCOPES);
    const cohort = await makeCohort(t.db, { weeks: 1 });
    await addMember(t.db, cohort.id, 'Ana', 'mentor', { userId: 'U0ANA' });
    const maria = await addMember(t.db, cohort.id, 'Maria');
    await answer(t.db, cohort, maria, 1, 'on-track', 4);
    await enqueueDueDigests(t.db, content, digestAt, createPngRenderer());
  });

  const filesInDm = () => h.fake.messagesIn('DU0ANA').filter((m) => m.files);
  const storedPng = async () => (await t.db.selectFrom('outbox_files').select('bytes').executeTakeFirstOrThrow()).bytes;

  it('posts the digest, then files.uploadV2 puts the PNG in its thread: URL, upload, complete', async () => {
    expect(await deliver()).toEqual({ sent: 1, retried: 0, dead: 0 });
    const [digest] = h.fake.messagesIn('DU0ANA').filter((m) => !m.thread_ts);
    expect(visibleText(digest!)).toContain('Weekly digest · spring · week 1');
    expect(visibleText(digest!)).toContain('The cohort heatmap is attached.');

    const [getUrl] = h.fake.callsOf('files.getUploadURLExternal');
    expect(getUrl!.token).toBe('xoxb-test-token');
    expect(getUrl!.args).toMatchObject({ filename: 'spring-week-01.png' });
    expect(h.fake.callsOf('upload')).toHaveLength(1);
    const [complete] = h.fake.callsOf('files.completeUploadExternal');
    expect(complete!.args).toMatchObject({ channel_id: 'DU0ANA', thread_ts: digest!.ts });

    const shared = filesInDm();
    expect(shared).toHaveLength(1);
    expect(shared[0]!.thread_ts).toBe(digest!.ts);
    expect(shared[0]!.files!.map((f) => f.name)).toEqual(['spring-week-01.png']);
    expect(Buffer.from(shared[0]!.files![0]!.bytes!)).toEqual(Buffer.from(await storedPng()));
  });

  it('without files:write the upload is refused (missing_scope) and the row is given up, not retried forever', async () => {
    expect(BOT_SCOPES).toContain('files:write');
    h.fake.grantedScopes = new Set(BOT_SCOPES.filter((s) => s !== 'files:write'));
    expect(await deliver()).toEqual({ sent: 0, retried: 0, dead: 1 });
    const row = await t.db.selectFrom('outbox').select(['status', 'last_error']).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'dead', last_error: 'Slack refused the message: missing_scope' });
    expect(filesInDm()).toEqual([]);
  });

  it('an upload that fails after the digest is out is retried: the digest is not posted twice and the PNG arrives once', async () => {
    h.fake.fail('files.completeUploadExternal', 'internal_error');
    expect(await deliver()).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(h.fake.messagesIn('DU0ANA').filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(filesInDm()).toEqual([]);

    expect(await deliver(new Date(digestAt.getTime() + 10 * 60_000))).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(h.fake.messagesIn('DU0ANA').filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(h.fake.callsOf('conversations.replies')).toHaveLength(1);
    expect(filesInDm().map((m) => m.files!.map((f) => f.name))).toEqual([['spring-week-01.png']]);

    // Had the file already gone through, the retry would find it in the thread and upload nothing.
    const uploads = h.fake.callsOf('files.completeUploadExternal').length;
    const sent = await h.platform.port.findSent!('user', 'U0ANA', 'digest:1:1:1');
    expect(sent).not.toBeNull();
    await h.platform.port.completeFiles!(sent!, [{ name: 'spring-week-01.png', contentType: 'image/png', bytes: new Uint8Array([1]) }], 'digest:1:1:1');
    expect(h.fake.callsOf('files.completeUploadExternal')).toHaveLength(uploads);
  });

  it('an edit that replaces the picture deletes the old file from the thread and uploads the new one there', async () => {
    expect(await deliver()).toEqual({ sent: 1, retried: 0, dead: 0 });
    const [digest] = h.fake.messagesIn('DU0ANA').filter((m) => !m.thread_ts);
    const oldFile = filesInDm()[0]!.files![0]!.id;
    const redrawn = { name: 'spring-week-01.png', contentType: 'image/png', bytes: new Uint8Array([9, 9, 9]) };
    await h.platform.port.updateMessage('DU0ANA', digest!.ts, { text: 'Weekly digest, without a learner', replaceFiles: true }, [redrawn]);
    expect(h.fake.callsOf('files.delete').map((c) => c.args.file)).toEqual([oldFile]);
    const live = filesInDm().flatMap((m) => m.files!).filter((f) => !f.deleted);
    expect(live.map((f) => [f.name, [...f.bytes!]])).toEqual([['spring-week-01.png', [9, 9, 9]]]);
    expect(filesInDm().every((m) => m.thread_ts === digest!.ts)).toBe(true);
    // With no file to put back, the picture is only removed; the tombstone is not deleted twice.
    await h.platform.port.updateMessage('DU0ANA', digest!.ts, { text: 'Weekly digest, no picture', replaceFiles: true }, []);
    expect(filesInDm().flatMap((m) => m.files!).filter((f) => !f.deleted)).toEqual([]);
    expect(h.fake.callsOf('files.delete').filter((c) => c.error)).toEqual([]);
  });
});

