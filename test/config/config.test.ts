import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs locally with nothing set: embedded database, no platform', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: null, dataDir: './data', port: 3000, reminderAfterHours: 24, slack: null, discord: null, adminUserIds: [] });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/mentorbot',
      PORT: '8080',
      ADMIN_USER_IDS: 'slack:U0123, discord:81234',
      REMINDER_AFTER_HOURS: '12',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef',
      SLACK_API_URL: 'http://127.0.0.1:4000/api/',
      DISCORD_TOKEN: 'x'.repeat(60),
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_GUILD_ID: '223456789012345678',
      MENTORBOT_TEST_CLOCK: '1',
    });
    expect(c.port).toBe(8080);
    expect(c.adminUserIds).toEqual([
      { platform: 'slack', userId: 'U0123' },
      { platform: 'discord', userId: '81234' },
    ]);
    expect(c.slack).toEqual({ botToken: 'xoxb-1-2-3', signingSecret: 'abcdef0123456789abcdef', appToken: null, apiUrl: 'http://127.0.0.1:4000/api/' });
    expect(c.discord?.guildId).toBe('223456789012345678');
    expect(c.testClock).toBe(true);
    expect(c.host).toBe('0.0.0.0');
  });

  it('binds loopback in terminal mode and every interface when a platform must reach it, unless HOST says', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ DISCORD_TOKEN: 'x'.repeat(60), DISCORD_APPLICATION_ID: '123456789012345678' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(problems({ HOST: 'http://x' })).toEqual(['HOST: expected an interface address such as 127.0.0.1, 0.0.0.0 or ::, got "http://x"']);
  });

  it('takes PUBLIC_URL as the dashboard’s origin, and says what is wrong with one that is not', () => {
    expect(loadConfig({}).publicUrl).toBeNull();
    expect(loadConfig({ PUBLIC_URL: 'https://mentorbot.example.org/' }).publicUrl).toBe('https://mentorbot.example.org');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:3000' }).publicUrl).toBe('http://10.0.0.5:3000');
    expect(problems({ PUBLIC_URL: 'mentorbot.example.org' })).toEqual(['PUBLIC_URL: expected an http(s) URL such as https://mentorbot.example.org, got "mentorbot.example.org"']);
    expect(problems({ PUBLIC_URL: 'https://example.org/mentorbot?x=1' })[0]).toMatch(/^PUBLIC_URL: expected the address the dashboard is reached at, without a path, query or credentials/);
  });

  it('reports every bad variable at once, each naming what it expects', () => {
    const p = problems({ PORT: 'eighty', REMINDER_AFTER_HOURS: '0', DATABASE_URL: 'mysql://x', ADMIN_USER_IDS: 'U0123' });
    expect(p).toHaveLength(4);
    expect(p).toContain('PORT: expected a port number from 1 to 65535 (0 picks a free one), got "eighty"');
    expect(p.find((x) => x.startsWith('REMINDER_AFTER_HOURS:'))).toMatch(/whole number of hours from 1 to 167/);
    expect(p.find((x) => x.startsWith('DATABASE_URL:'))).toMatch(/postgres:\/\//);
    expect(p).toContain('ADMIN_USER_IDS: expected a comma-separated list like "slack:U0123,discord:81234"; "U0123" is not platform:id');
  });

  it('never echoes a secret back', () => {
    const p = problems({ SLACK_BOT_TOKEN: 'xoxp-user-token-secret', SLACK_SIGNING_SECRET: 'abcdef0123456789' });
    expect(p.join('\n')).not.toContain('xoxp-user-token-secret');
    expect(p[0]).toMatch(/^SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
  });

  it('asks for the missing half of a platform pair', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set/)]);
    expect(problems({ DISCORD_TOKEN: 'x'.repeat(60) })).toEqual([expect.stringMatching(/^DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set/)]);
    expect(problems({ DISCORD_APPLICATION_ID: '123456789012345678' })).toEqual([expect.stringMatching(/^DISCORD_TOKEN: required/)]);
  });

  it('lets Socket Mode run without a signing secret', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(c.slack).toMatchObject({ appToken: 'xapp-1', signingSecret: null });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }).port).toBe(3000);
  });
});
