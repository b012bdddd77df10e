import { beforeEach, describe, expect, it } from 'vitest';
import { enqueueWithFiles, filesOf, type OutFile } from '../../../src/core/attachments.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { useTestDb } from '../../helpers/db.js';
import { RecordingPort } from '../../helpers/recording-port.js';

const t = useTestDb();
const now = new Date('2026-03-10T09:00:00Z');

const csv: OutFile = { name: 'checkins.csv', contentType: 'text/csv', bytes: new TextEncoder().encode('week,status\n1,on-track\n') };
// Every byte value, so nothing is lost to a text encoding on the way through the database.
const binary: OutFile = { name: 'all-bytes.bin', contentType: 'application/octet-stream', bytes: Uint8Array.from({ length: 512 }, (_, i) => i % 256) };

const notice = (key: string, files: OutFile[]) => ({
  key,
  kind: 'notice' as const,
  platform: 'local' as const,
  targetKind: 'user' as const,
  targetId: 'dana',
  message: { text: 'Your data, as asked.' },
  availableAt: now,
  files,
});

describe('outbox messages that carry files', () => {
  let port: RecordingPort;
  const deliver = (at = now) => deliverDue(t.db, new Map([['local', port]]), at, { workerId: 'w1' });

  beforeEach(async () => {
    await t.reset();
    port = new RecordingPort('local');
  });

  it('delivers a message with its files, in order and byte for byte, once', async () => {
    expect(await enqueueWithFiles(t.db, [notice('export:1', [csv, binary])])).toEqual(new Set(['export:1']));
    expect(await deliver()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(port.sent).toHaveLength(1);
    expect(port.sent[0]!.message.text).toBe('Your data, as asked.');
    expect(port.sent[0]!.files).toEqual([csv, binary]);
    expect(await deliver(new Date(now.getTime() + 60_000))).toEqual({ sent: 0, retried: 0, dead: 0 });
  });

  it('queues a key once: a second write with other files changes nothing', async () => {
    await enqueueWithFiles(t.db, [notice('export:1', [csv])]);
    expect(await enqueueWithFiles(t.db, [notice('export:1', [binary, csv])])).toEqual(new Set());
    expect((await filesOf(t.db, ['export:1'])).get('export:1')).toEqual([csv]);
  });

  it('a failed send is retried with the same files, and they arrive once', async () => {
    await enqueueWithFiles(t.db, [notice('export:2', [binary])]);
    port.failNext = 1;
    expect(await deliver()).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(await deliver(new Date(now.getTime() + 10 * 60_000))).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(port.sent.map((s) => s.files.map((f) => f.name))).toEqual([['all-bytes.bin']]);
  });

  it('messages without files go as before, next to ones with files', async () => {
    await enqueueWithFiles(t.db, [notice('plain:1', []), notice('export:3', [csv])]);
    await deliver();
    expect(port.sent.map((s) => [s.key, s.files.length])).toEqual([
      ['plain:1', 0],
      ['export:3', 1],
    ]);
  });
});
