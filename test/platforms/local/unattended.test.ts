import { describe, expect, it } from 'vitest';
import { healthRoute } from '../../../src/http/health.js';
import { HttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { noPlatformCause, whyUnattended } from '../../../src/platforms/local/unattended.js';
import { useTestDb } from '../../helpers/db.js';

const t = useTestDb();
const nothing = () => false;

describe('a bot started without a platform token', () => {
  it('serves a person at a terminal, in a container too (docker run -it, a development container)', () => {
    expect(whyUnattended({ env: {}, stdinIsTTY: true, exists: nothing })).toBeNull();
    expect(whyUnattended({ env: { NODE_ENV: 'development' }, stdinIsTTY: true, exists: nothing })).toBeNull();
    expect(whyUnattended({ env: {}, stdinIsTTY: true, exists: (f) => f === '/.dockerenv' })).toBeNull();
  });

  it('serves no one in production, or with an input that is not a terminal, and says which', () => {
    expect(whyUnattended({ env: { NODE_ENV: 'production' }, stdinIsTTY: true, exists: nothing })).toBe('NODE_ENV=production');
    expect(whyUnattended({ env: {}, stdinIsTTY: false, exists: nothing })).toBe('its input is not a terminal');
    const container = 'it runs in a container with no terminal attached';
    expect(whyUnattended({ env: {}, stdinIsTTY: false, exists: (f) => f === '/.dockerenv' })).toBe(container);
    expect(whyUnattended({ env: {}, stdinIsTTY: false, exists: (f) => f === '/run/.containerenv' })).toBe(container);
    expect(whyUnattended({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, stdinIsTTY: false, exists: nothing })).toBe(container);
  });

  it('answers /healthz with 503 and the cause, naming the variables to set', async () => {
    const http = new HttpServer(createLogger('silent'));
    const cause = noPlatformCause('it runs in a container with no terminal attached');
    http.mount('GET', '/healthz', healthRoute(t.db, () => ({}), { noPlatform: cause }));
    const port = await http.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', database: 'reachable', platforms: {}, cause });
      expect(cause).toBe(
        'no platform is connected: neither SLACK_BOT_TOKEN nor DISCORD_TOKEN is set, and terminal mode serves no one here (it runs in a container with no terminal attached). ' +
          'Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or DISCORD_TOKEN and DISCORD_APPLICATION_ID; for terminal mode, run `npm start` in a terminal.',
      );
    } finally {
      await http.close();
    }
  });
});
