import { Writable } from 'node:stream';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/slack.js';
import { SLASH_COMMANDS } from '../../../src/core/commands.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function manifest(argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await run(argv, { stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe('mentorbot slack manifest', () => {
  it('prints a YAML manifest with every command, escaping on, pointed at <url>/slack/events', async () => {
    const { code, out } = await manifest(['manifest', '--url', 'https://bot.example.org']);
    expect(code).toBe(0);
    const m = parse(out);
    expect(m.display_information.name).toBe('mentorbot');
    expect(m.features.bot_user.display_name).toBe('mentorbot');
    expect(m.features.slash_commands.map((c: any) => c.command)).toEqual(SLASH_COMMANDS.map((c) => `/${c}`));
    for (const c of m.features.slash_commands) {
      expect(c.should_escape).toBe(true);
      expect(c.url).toBe('https://bot.example.org/slack/events');
      expect(c.description.length).toBeGreaterThan(10);
    }
    expect(m.features.slash_commands.find((c: any) => c.command === '/away').usage_hint).toBe('YYYY-MM-DD | back | (empty: show)');
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['chat:write', 'commands', 'im:write', 'users:read', 'channels:history', 'groups:history', 'app_mentions:read']));
    expect(m.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://bot.example.org/slack/events' });
    expect(m.settings.event_subscriptions.request_url).toBe('https://bot.example.org/slack/events');
    expect(m.settings.event_subscriptions.bot_events).toEqual([
      'app_mention',
      'app_home_opened',
      'member_joined_channel',
      'member_left_channel',
      'user_change',
      'channel_archive',
      'channel_unarchive',
      'channel_deleted',
      'channel_left',
      'group_archive',
      'group_unarchive',
      'group_deleted',
      'group_left',
      'tokens_revoked',
      'app_uninstalled',
    ]);
    // What those events and the daily members check need.
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['channels:read', 'groups:read', 'users:read', 'im:write']));
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
  });

  it('switches to Socket Mode without request URLs, as JSON', async () => {
    const { code, out } = await manifest(['manifest', '--socket', '--json']);
    expect(code).toBe(0);
    const m = JSON.parse(out);
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.settings.interactivity).toEqual({ is_enabled: true });
    expect(m.settings.event_subscriptions.request_url).toBeUndefined();
    expect(m.features.slash_commands.every((c: any) => c.url === undefined)).toBe(true);
  });

  it('uses a placeholder URL and says so when none is given', async () => {
    const { code, out, err } = await manifest(['manifest']);
    expect(code).toBe(0);
    expect(parse(out).settings.interactivity.request_url).toBe('https://YOUR-PUBLIC-HOST/slack/events');
    expect(err).toMatch(/no --url given/);
  });

  it('keeps a URL that already ends in /slack/events, and refuses a non-https one', async () => {
    expect(parse((await manifest(['manifest', '--url', 'https://h.example/bot/slack/events'])).out).settings.interactivity.request_url).toBe('https://h.example/bot/slack/events');
    const bad = await manifest(['manifest', '--url', 'http://insecure.example']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/https/);
  });

  it('refuses an unknown subcommand with the usage', async () => {
    const { code, err } = await manifest(['install']);
    expect(code).toBe(2);
    expect(err).toMatch(/usage: mentorbot slack manifest/);
  });
});
