import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Clock } from '../../src/core/clock.js';
import { startBot, type Bot } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { useTestDb } from '../helpers/db.js';
import { realContent } from '../helpers/engine.js';

const t = useTestDb();

async function boot(env: Record<string, string>): Promise<Bot> {
  const clock = new Clock();
  clock.freeze(new Date('2026-03-02T07:00:00Z'));
  const printed: string[] = [];
  return startBot(loadConfig({ PORT: '0', ...env }), {
    handle: t.handle,
    clock,
    content: (await realContent()).content,
    log: createLogger('silent'),
    autoStart: false,
    print: (s) => printed.push(s),
  });
}

describe('HTTP', () => {
  let bot: Bot;
  let base: string;
  beforeAll(async () => {
    bot = await boot({ MENTORBOT_TEST_CLOCK: '1' });
    base = `http://127.0.0.1:${bot.port}`;
  });
  afterAll(() => bot.stop());

  it('reports health with the database reachable', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'reachable' });
  });

  it('moves the clock, ticks and delivers before answering', async () => {
    await bot.core.command({ platform: 'local', userId: 'organizer', displayName: 'organizer', isAdmin: true }, { channelId: 'c1' }, {
      name: 'cohort.create', cohortName: 'Clocked', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin',
    });
    await bot.core.command({ platform: 'local', userId: 'maria', displayName: 'maria', isAdmin: false }, { channelId: 'c1' }, { name: 'cohort.join' });
    const res = await fetch(`${base}/_test/clock`, { method: 'POST', body: JSON.stringify({ advance: 'PT1H' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { now: string; tick: { rounds: number }; delivered: { sent: number } };
    expect(body.now).toBe('2026-03-02T08:00:00.000Z');
    expect(body.tick.rounds).toBe(1);
    expect(body.delivered.sent).toBe(1);
    expect(bot.local!.shown.at(-1)!.message.text).toContain('Week 1 of 24');
  });

  it('says exactly what is wrong with a bad clock request', async () => {
    const bad = await fetch(`${base}/_test/clock`, { method: 'POST', body: JSON.stringify({ advance: 'one week' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('"advance" must be an ISO 8601 duration like PT24H or P7D, got "one week"');
  });

  it('exposes Prometheus metrics read from the database and from this process', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^mentorbot_rounds_posted_total 1$/m);
    expect(text).toMatch(/^# TYPE mentorbot_rounds_posted_total counter$/m);
    expect(text).toMatch(/^mentorbot_outbox_depth\{status="pending"\} 0$/m);
    expect(text).toMatch(/^mentorbot_outbox_depth\{status="dead"\} 0$/m);
    expect(text).toMatch(/^mentorbot_process_cpu_user_seconds_total \d/m);
    expect(text).not.toContain('process_process');
    // Prometheus naming: our counters end in _total, and nothing else of ours does.
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      expect(name!.startsWith('mentorbot_')).toBe(true);
      if (/^mentorbot_(process|nodejs)_/.test(name!)) continue;
      expect(`${name} ${type}`).toMatch(type === 'counter' ? /_total counter$/ : /(?<!_total) \w+$/);
    }
    expect(text).toMatch(/^mentorbot_deliveries_total\{kind="round",outcome="sent"\} 1$/m);
    expect(text).toMatch(/^mentorbot_outbox_oldest_age_seconds 0$/m);
    expect(text).toMatch(/^mentorbot_http_request_duration_seconds_count\{route="\/healthz"\} 1$/m);
  });

  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('HTTP without the test clock', () => {
  it('refuses /_test/clock', async () => {
    const bot = await boot({});
    try {
      const res = await fetch(`http://127.0.0.1:${bot.port}/_test/clock`, { method: 'POST', body: '{"advance":"P7D"}' });
      expect(res.status).toBe(404);
    } finally {
      await bot.stop();
    }
  });
});
