import { describe, expect, it } from 'vitest';
import { parseSlackBody } from '../../../src/platforms/slack/receiver.js';

const FORM = 'application/x-www-form-urlencoded';

describe('a Slack request body', () => {
  const payload = { type: 'block_actions', user: { id: 'U0MARIA', name: 'maria lopez' }, note: 'a&b=c 100% + "quotes" — ünïcode' };

  it('reads an interactivity payload encoded with + for spaces, as Slack sends it', () => {
    const raw = `payload=${encodeURIComponent(JSON.stringify(payload)).replaceAll('%20', '+')}`;
    expect(parseSlackBody(raw, FORM)).toEqual(payload);
  });

  it('reads the same payload encoded with %20, and with a charset on the content type', () => {
    const raw = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    expect(parseSlackBody(raw, `${FORM}; charset=utf-8`)).toEqual(payload);
  });

  it('reads a payload that is not the only field, and a slash command form', () => {
    expect(parseSlackBody(`token=x&payload=${encodeURIComponent(JSON.stringify(payload))}`, FORM)).toEqual(payload);
    expect(parseSlackBody('command=%2Ffaq&text=how+long%3F&user_id=U0MARIA', FORM)).toEqual({ command: '/faq', text: 'how long?', user_id: 'U0MARIA' });
  });

  it('refuses a payload that is not JSON, and a JSON body that is not an object', () => {
    expect(() => parseSlackBody('payload=%7Bnot+json', FORM)).toThrow();
    expect(() => parseSlackBody('payload=%E0%A4%A', FORM)).toThrow();
    expect(() => parseSlackBody('[1,2]', 'application/json')).toThrow('body is not an object');
  });
});
