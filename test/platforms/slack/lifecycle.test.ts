import { describe, expect, it } from 'vitest';
import { HttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { createSlackPlatform } from '../../../src/platforms/slack/index.js';
import { useTestDb } from '../../helpers/db.js';
import { FakeSlack } from '../../helpers/fake-slack.js';
import { slashCommand } from '../../helpers/slack-requests.js';
import { fakeCore } from './fake-core.js';
import { startSlackHarness } from './harness.js';

describe('Slack platform lifecycle', () => {
  const t = useTestDb();
  const log = createLogger('silent', false);

  it('reports connected once the token is accepted, and refuses requests after stopping', async () => {
    const core = fakeCore();
    const h = await startSlackHarness({ core, db: t.db });
    try {
      expect(h.platform.state()).toBe('connected');
      expect(h.fake.callsOf('auth.test')).toHaveLength(1);
      await h.platform.stop();
      expect(h.platform.state()).toBe('disconnected');
      const res = await h.send(slashCommand({ command: '/faq', text: 'hi', user: { id: 'U1', name: 'a' }, channelId: 'C1', responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(503);
      expect(core.calls).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('is disconnected while Slack refuses the token, and recovers on the next request once it accepts it', async () => {
    const fake = await FakeSlack.start();
    fake.fail('auth.test', 'invalid_auth');
    const core = fakeCore();
    const h = await startSlackHarness({ core, db: t.db, fake });
    try {
      expect(h.platform.state()).toBe('disconnected');
      const res = await h.send(slashCommand({ command: '/faq', text: 'hi', user: { id: 'U1', name: 'a' }, channelId: 'C1', responseUrl: fake.responseUrl() }));
      expect(res.status).toBe(200);
      await fake.waitFor('response_url');
      expect(core.calls).toHaveLength(1);
      expect(h.platform.state()).toBe('connected');
    } finally {
      await h.close();
      await fake.close();
    }
  });

  it('answers Slack’s unsigned SSL check without doing anything', async () => {
    const core = fakeCore();
    const h = await startSlackHarness({ core, db: t.db });
    try {
      const res = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
      expect(res.status).toBe(200);
      expect(core.calls).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('in Socket Mode mounts no HTTP route and needs no signing secret', async () => {
    const http = new HttpServer(log);
    const platform = await createSlackPlatform({
      config: { botToken: 'xoxb-test', signingSecret: null, appToken: 'xapp-1-test', apiUrl: null },
      adminIds: [],
      core: fakeCore(),
      db: t.db,
      http,
      log,
    });
    const port = await http.listen(0, '127.0.0.1');
    try {
      expect(platform.state()).toBe('disconnected');
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('refuses HTTP mode without a signing secret', async () => {
    await expect(
      createSlackPlatform({ config: { botToken: 'xoxb-test', signingSecret: null, appToken: null, apiUrl: null }, adminIds: [], core: fakeCore(), db: t.db, http: new HttpServer(log), log }),
    ).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });
});
