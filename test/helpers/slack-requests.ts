import { createHmac } from 'node:crypto';
import { BOT_USER_ID, TEAM_ID, buttonsOf } from './fake-slack.js';

/**
 * Signed Slack requests in the shapes Slack really sends (slash commands as forms, interactivity as a
 * `payload=` form field, the Events API as JSON), for tests that drive the app over HTTP.
 */

export const SIGNING_SECRET = '8f742231b10e8888abc0d5e3f1a1b2c3';
export const APP_ID = 'A0MENTORBOT';
export const TEAM_DOMAIN = 'mentorbot-test';

export interface SignedRequest {
  contentType: string;
  body: string;
}

export interface SendOptions {
  secret?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature. */
  signature?: string;
  retryNum?: number;
  retryReason?: string;
}

export interface SlackHttpResponse {
  status: number;
  text: string;
  /** The JSON body, when there is one. */
  json: any;
}

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function sendSigned(url: string, req: SignedRequest, opts: SendOptions = {}): Promise<SlackHttpResponse> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': req.contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': opts.signature ?? sign(req.body, timestamp, opts.secret),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (opts.retryNum !== undefined) headers['x-slack-retry-num'] = String(opts.retryNum);
  if (opts.retryReason !== undefined) headers['x-slack-retry-reason'] = opts.retryReason;
  const res = await fetch(url, { method: 'POST', headers, body: req.body });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

export interface Person {
  id: string;
  name: string;
}

const form = (fields: Record<string, string>): SignedRequest => ({
  contentType: 'application/x-www-form-urlencoded',
  body: new URLSearchParams(fields).toString(),
});

let triggerSeq = 0;
const triggerId = () => `${++triggerSeq}.1234567890.abcdef${triggerSeq}`;

/** A slash command as Slack posts it (application/x-www-form-urlencoded). */
export function slashCommand(p: { command: string; text?: string; user: Person; channelId: string; channelName?: string; responseUrl: string; teamId?: string }): SignedRequest {
  return form({
    token: 'deprecated-verification-token',
    team_id: p.teamId ?? TEAM_ID,
    team_domain: TEAM_DOMAIN,
    channel_id: p.channelId,
    channel_name: p.channelName ?? (p.channelId.startsWith('D') ? 'directmessage' : 'cohort'),
    user_id: p.user.id,
    user_name: p.user.name,
    command: p.command,
    text: p.text ?? '',
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: p.responseUrl,
    trigger_id: triggerId(),
  });
}

/** A message as the app posted it, as far as a click needs it. */
export interface ClickableMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks: any[];
  ephemeral?: boolean;
}

/** A click on the button labelled `label` of a message (block_actions, sent as `payload=`). */
export function clickButton(p: { message: ClickableMessage; label: string; user: Person; responseUrl?: string; teamId?: string }): SignedRequest {
  const button = buttonsOf(p.message).find((b) => b.label === p.label);
  if (!button) throw new Error(`no button "${p.label}" on the message; buttons: ${buttonsOf(p.message).map((b) => b.label).join(', ') || 'none'}`);
  const element = p.message.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id === button.action_id);
  const teamId = p.teamId ?? TEAM_ID;
  const payload = {
    type: 'block_actions',
    user: { id: p.user.id, username: p.user.name, name: p.user.name, team_id: teamId },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: p.message.ts, channel_id: p.message.channel, is_ephemeral: Boolean(p.message.ephemeral) },
    trigger_id: triggerId(),
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: p.message.channel, name: p.message.channel.startsWith('D') ? 'directmessage' : 'cohort' },
    message: p.message.ephemeral
      ? undefined
      : { type: 'message', subtype: undefined, text: p.message.text ?? '', user: BOT_USER_ID, bot_id: 'B0BOT', ts: p.message.ts, blocks: p.message.blocks, team: teamId },
    state: { values: {} },
    response_url: p.responseUrl,
    actions: [
      {
        action_id: button.action_id,
        block_id: button.block_id,
        text: element.text,
        value: button.value,
        ...(element.style ? { style: element.style } : {}),
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ],
  };
  return form({ payload: JSON.stringify(payload) });
}

/** A click on a button of the App Home tab: no channel, no response_url. */
export function clickHomeButton(p: { view: { blocks: any[] }; label: string; user: Person; viewId?: string; teamId?: string }): SignedRequest {
  const button = buttonsOf(p.view).find((b) => b.label === p.label);
  if (!button) throw new Error(`no button "${p.label}" in the home view`);
  const teamId = p.teamId ?? TEAM_ID;
  const viewId = p.viewId ?? 'VHOME';
  const payload = {
    type: 'block_actions',
    user: { id: p.user.id, username: p.user.name, name: p.user.name, team_id: teamId },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: viewId },
    trigger_id: triggerId(),
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: viewId, team_id: teamId, type: 'home', blocks: p.view.blocks, private_metadata: '', callback_id: '', state: { values: {} }, hash: 'h', app_id: APP_ID, bot_id: 'B0BOT' },
    actions: [{ action_id: button.action_id, block_id: button.block_id, text: { type: 'plain_text', text: button.label }, value: button.value, type: 'button', action_ts: '1.2' }],
  };
  return form({ payload: JSON.stringify(payload) });
}

export type ModalAnswers = Partial<Record<'status' | 'confidence', string> & Record<'milestones', string[]> & Record<'blocker' | 'note', string>>;

/** Submitting a modal the app opened with views.open, with the given answers (view_submission). */
export function submitModal(p: { view: any; answers: ModalAnswers; user: Person; teamId?: string }): SignedRequest {
  const teamId = p.teamId ?? TEAM_ID;
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of p.view.blocks ?? []) {
    if (block.type !== 'input') continue;
    const el = block.element;
    const answer = (p.answers as Record<string, unknown>)[block.block_id];
    const byValue = (v: string) => {
      const o = (el.options ?? []).find((x: any) => x.value === v);
      if (!o) throw new Error(`"${v}" is not an option of ${block.block_id}`);
      return o;
    };
    switch (el.type) {
      case 'static_select': {
        const chosen = answer !== undefined ? byValue(String(answer)) : (el.initial_option ?? null);
        values[block.block_id] = { [el.action_id]: { type: 'static_select', selected_option: chosen } };
        break;
      }
      case 'multi_static_select': {
        const chosen = answer !== undefined ? (answer as string[]).map(byValue) : (el.initial_options ?? []);
        values[block.block_id] = { [el.action_id]: { type: 'multi_static_select', selected_options: chosen } };
        break;
      }
      case 'plain_text_input': {
        const value = answer !== undefined ? String(answer) : (el.initial_value ?? null);
        values[block.block_id] = { [el.action_id]: { type: 'plain_text_input', value } };
        break;
      }
    }
  }
  const payload = {
    type: 'view_submission',
    team: { id: teamId, domain: TEAM_DOMAIN },
    user: { id: p.user.id, username: p.user.name, name: p.user.name, team_id: teamId },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    trigger_id: triggerId(),
    view: {
      id: p.view.id ?? 'VMODAL',
      team_id: teamId,
      type: 'modal',
      blocks: p.view.blocks,
      private_metadata: p.view.private_metadata ?? '',
      callback_id: p.view.callback_id,
      state: { values },
      hash: p.view.hash ?? 'h',
      title: p.view.title,
      clear_on_close: false,
      notify_on_close: false,
      close: p.view.close ?? null,
      submit: p.view.submit ?? null,
      previous_view_id: null,
      root_view_id: p.view.id ?? 'VMODAL',
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return form({ payload: JSON.stringify(payload) });
}

/** An Events API delivery (JSON) wrapping one event. */
export function eventCallback(p: { event: Record<string, unknown>; eventId: string; teamId?: string; eventTime?: number }): SignedRequest {
  const teamId = p.teamId ?? TEAM_ID;
  const body = {
    token: 'deprecated-verification-token',
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: APP_ID,
    event: p.event,
    type: 'event_callback',
    event_id: p.eventId,
    event_time: p.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(p.eventId).toString('base64')}`,
  };
  return { contentType: 'application/json', body: JSON.stringify(body) };
}

let eventSeq = 0;

/** "@mentorbot <text>" in a channel, as the app_mention event. */
export function appMention(p: { user: Person; channelId: string; text: string; eventId?: string; ts?: string; threadTs?: string }): SignedRequest & { eventId: string; ts: string } {
  const ts = p.ts ?? `${1_700_000_000 + ++eventSeq}.000200`;
  const eventId = p.eventId ?? `Ev0MENTION${++eventSeq}`;
  const req = eventCallback({
    eventId,
    event: {
      type: 'app_mention',
      user: p.user.id,
      text: `<@${BOT_USER_ID}> ${p.text}`,
      ts,
      team: TEAM_ID,
      channel: p.channelId,
      event_ts: ts,
      ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
      blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'user', user_id: BOT_USER_ID }, { type: 'text', text: ` ${p.text}` }] }] }],
    },
  });
  return { ...req, eventId, ts };
}

export function appHomeOpened(p: { user: Person; eventId?: string }): SignedRequest {
  const ts = `${1_700_000_000 + ++eventSeq}.000300`;
  return eventCallback({
    eventId: p.eventId ?? `Ev0HOME${eventSeq}`,
    event: { type: 'app_home_opened', user: p.user.id, channel: `D${p.user.id}`, tab: 'home', event_ts: ts },
  });
}

/** Slack's URL check when the request URL is saved (Events API). */
export function urlVerification(challenge: string): SignedRequest {
  return { contentType: 'application/json', body: JSON.stringify({ token: 'deprecated-verification-token', challenge, type: 'url_verification' }) };
}
