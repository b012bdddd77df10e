import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { useTestDb } from '../../helpers/db.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { SAM } from './payloads.js';

const t = useTestDb();
const core = new FakeCore(() => t.db);
const h = useDiscord({ core: () => core, content: () => loadContent('content') });

beforeEach(async () => {
  await t.reset();
  h.fake.reset();
  core.reset();
});

describe('Discord uploads, whichever undici the process loaded first', () => {
  // The newer undici (the Slack adapter's) installs its Agent as the process-wide dispatcher when it
  // is the first undici a process loads; this makes it so, whatever this worker loaded before.
  let before: Dispatcher;
  beforeEach(() => {
    before = getGlobalDispatcher();
    setGlobalDispatcher(new Agent());
  });
  afterEach(() => setGlobalDispatcher(before));

  it('sends a DM with a picture while the newer undici is the process-wide dispatcher', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const sent = await h.platform.port.sendDirect(SAM.user.id, { text: 'Weekly digest' }, 'digest:9:1:1', [{ name: 'week-01.png', contentType: 'image/png', bytes: png }]);

    const dm = h.fake.dmChannelOf(SAM.user.id)!;
    const [message] = h.fake.inChannel(dm);
    expect(message!.id).toBe(sent.messageId);
    expect(message!.attachments.map((a) => [a.filename, a.size])).toEqual([['week-01.png', png.length]]);
  });
});
