import type { AdminId } from '../../../src/config.js';
import type { Core } from '../../../src/core/core.js';
import type { Db } from '../../../src/db/connect.js';
import { HttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { createSlackPlatform, SLACK_EVENTS_PATH, type SlackPlatform } from '../../../src/platforms/slack/index.js';
import { FakeSlack, visibleText } from '../../helpers/fake-slack.js';
import { sendSigned, SIGNING_SECRET, slashCommand, type Person, type SendOptions, type SignedRequest, type SlackHttpResponse } from '../../helpers/slack-requests.js';

export interface SlackHarness {
  fake: FakeSlack;
  http: HttpServer;
  platform: SlackPlatform;
  eventsUrl: string;
  baseUrl: string;
  send(req: SignedRequest, opts?: SendOptions): Promise<SlackHttpResponse>;
  /** Resolves once every request sent so far is processed, the follow-ups to its response_url included. */
  settled(): Promise<void>;
  /** A slash command as `user` types it in `channelId`; the reply as they read it (the ack, or what came to its response_url). */
  slash(user: Person, command: string, text: string, channelId: string): Promise<string>;
  close(): Promise<void>;
}

/** Our HTTP server on port 0 with the Slack platform mounted, talking to a fake Web API. */
/** `apiUrl`: the Web API the app talks to, when something stands in front of the fake (see SlackWorld). */
export async function startSlackHarness(opts: { core: Core; db: Db; adminIds?: AdminId[]; fake?: FakeSlack; apiUrl?: string }): Promise<SlackHarness> {
  const fake = opts.fake ?? (await FakeSlack.start());
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false);
  const http = new HttpServer(log);
  // The receiver's handler returns only once the listener's follow-up work is done (after the ack).
  const inflight = new Set<Promise<void>>();
  const mount = http.mount.bind(http);
  http.mount = (method, path, handler) =>
    mount(method, path, (req, res) => {
      const work = Promise.resolve(handler(req, res));
      inflight.add(work);
      void work.finally(() => inflight.delete(work)).catch(() => {});
      return work;
    });
  const platform = await createSlackPlatform({
    config: { botToken: 'xoxb-test-token', signingSecret: SIGNING_SECRET, appToken: null, apiUrl: opts.apiUrl ?? fake.apiUrl },
    adminIds: opts.adminIds ?? [],
    core: opts.core,
    db: opts.db,
    http,
    log,
  });
  const port = await http.listen(0, '127.0.0.1');
  await platform.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const eventsUrl = `${baseUrl}${SLACK_EVENTS_PATH}`;
  return {
    fake,
    http,
    platform,
    eventsUrl,
    baseUrl,
    send: (req, o) => sendSigned(eventsUrl, req, o),
    async settled() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async slash(user, command, text, channelId) {
      const responseUrl = fake.responseUrl();
      const target = responseUrl.split('/').pop();
      const res = await sendSigned(eventsUrl, slashCommand({ command, text, user, channelId, responseUrl }));
      if (res.status !== 200) throw new Error(`${command} ${text}: HTTP ${res.status}`);
      if (res.json) return visibleText(res.json);
      return visibleText((await fake.waitFor('response_url', (c) => c.target === target)).args);
    },
    async close() {
      await platform.stop();
      await http.close();
      if (!opts.fake) await fake.close();
    },
  };
}
