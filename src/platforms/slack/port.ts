import { webApi } from '@slack/bolt';
import type { OutFile } from '../../core/attachments.js';
import {
  AccessLostError,
  ChannelUnreachableError,
  PermanentDeliveryError,
  RateLimitedError,
  RecipientUnreachableError,
  type ChannelTrouble,
  type ChatPort,
  type OutMessage,
  type SentRef,
} from '../../core/chat.js';
import type { Logger } from '../../log.js';
import { renderMessage } from './blocks.js';

export const ROUND_EVENT_TYPE = 'mentorbot_round';
export const MESSAGE_EVENT_TYPE = 'mentorbot_message';

/** The bot's own access is gone: nothing can be sent until it returns (the worker holds, never drops). */
const ACCESS_LOST = new Set(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'token_expired']);

/** What each error on a channel says about the channel. */
const CHANNEL_TROUBLE: Record<string, ChannelTrouble> = {
  is_archived: 'archived',
  channel_not_found: 'deleted',
  not_in_channel: 'bot-removed',
  missing_scope: 'no-permission',
  restricted_action: 'no-permission',
};

/** A person who cannot be written to: their account is gone, or it cannot take a DM. */
const RECIPIENT_GONE = new Set(['user_not_found', 'user_disabled', 'cannot_dm_bot', 'user_not_visible', 'channel_not_found', 'is_archived', 'not_in_channel']);

/** Slack errors that no retry can fix: the outbox row goes dead instead of looping. */
const PERMANENT = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'invalid_blocks', 'msg_too_long', 'missing_scope', 'restricted_action']);

/** Who a failed call was about: a channel (a cohort's), a person (a DM, opened or to be opened), or neither. */
export type CallTarget = { kind: 'channel'; id: string } | { kind: 'user'; id: string } | null;

/** Slack's own ids say what a conversation is: D… is a DM, C… or G… a channel. */
export function targetOfConversation(channelId: string): CallTarget {
  return channelId.startsWith('D') ? { kind: 'user', id: channelId } : { kind: 'channel', id: channelId };
}

/** The Web API error code of a failed call, or null when it failed otherwise. */
export function slackErrorCode(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? (e.data?.error ?? 'unknown_error') : null;
}

/** Turns a Web API failure into the errors the delivery worker understands. */
export function deliveryError(err: unknown, target: CallTarget = null): Error {
  const e = err as { code?: string; retryAfter?: number };
  if (e?.code === webApi.ErrorCode.RateLimitedError) return new RateLimitedError(Math.max(1, e.retryAfter ?? 1) * 1000);
  const code = slackErrorCode(err);
  if (code === null) return err instanceof Error ? err : new Error(String(err));
  const said = `Slack refused the message: ${code}`;
  if (ACCESS_LOST.has(code)) return new AccessLostError(code);
  if (target?.kind === 'user' && RECIPIENT_GONE.has(code)) return new RecipientUnreachableError(`${said} (a direct message to ${target.id})`);
  const trouble = CHANNEL_TROUBLE[code];
  if (target?.kind === 'channel' && trouble) return new ChannelUnreachableError(trouble, `${said} (channel ${target.id})`);
  if (PERMANENT.has(code) || trouble || RECIPIENT_GONE.has(code)) return new PermanentDeliveryError(said);
  return new Error(said);
}

/** Every post carries its outbox key, so a retry after a crash can find it; rounds also their id. */
function metadata(message: OutMessage, key: string): { metadata: { event_type: string; event_payload: Record<string, string | number> } } {
  return message.roundId === undefined
    ? { metadata: { event_type: MESSAGE_EVENT_TYPE, event_payload: { key } } }
    : { metadata: { event_type: ROUND_EVENT_TYPE, event_payload: { round_id: message.roundId, key } } };
}

export interface SlackPortOptions {
  /** Answers 429 with an error (rejectRateLimitedCalls) so the worker reschedules instead of waiting. */
  client: webApi.WebClient;
  /** Waits out 429s: used for thread replies, which must not make the worker re-post the parent. */
  patientClient: webApi.WebClient;
  log: Logger;
  historyLimit?: number;
  /** Members asked per conversations.members page; Slack advises at most 200. */
  membersPageSize?: number;
  /** How many 429s one channel's member list waits out (Retry-After) before giving up until the next run. */
  membersRateLimitWaits?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function createSlackPort(opts: SlackPortOptions): ChatPort {
  const { client, patientClient, log } = opts;
  const membersPageSize = opts.membersPageSize ?? 200;
  const maxWaits = opts.membersRateLimitWaits ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function openDm(userId: string): Promise<string> {
    try {
      const res = await client.conversations.open({ users: userId });
      return res.channel!.id!;
    } catch (err) {
      throw deliveryError(err, { kind: 'user', id: userId });
    }
  }

  /**
   * Files go into the message's thread (files.uploadV2). They use the patient client: a 429 here
   * must not send the worker back to re-post a parent that is already out.
   */
  async function upload(channel: string, threadTs: string, files: readonly OutFile[], target: CallTarget = targetOfConversation(channel)): Promise<void> {
    if (files.length === 0) return;
    try {
      await patientClient.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        file_uploads: files.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name, title: f.name })),
      });
    } catch (err) {
      // No files:write is the app's setup, not the channel's: the channel stays in use.
      if (slackErrorCode(err) === 'missing_scope') throw new PermanentDeliveryError('Slack refused the message: missing_scope');
      throw deliveryError(err, target);
    }
  }

  async function post(channel: string, message: OutMessage, key: string, files: readonly OutFile[] = [], target: CallTarget = targetOfConversation(channel)): Promise<SentRef> {
    const { text, blocks } = renderMessage(message);
    let ts: string;
    try {
      const res = await client.chat.postMessage({ channel, text, blocks, unfurl_links: false, ...metadata(message, key) });
      ts = res.ts!;
      channel = res.channel ?? channel;
    } catch (err) {
      throw deliveryError(err, target);
    }
    // The parent is out; a failing thread part is logged, never retried as a whole (that would post the parent twice).
    for (const part of message.thread ?? []) {
      const r = renderMessage({ text: part });
      try {
        await patientClient.chat.postMessage({ channel, thread_ts: ts, text: r.text, blocks: r.blocks, unfurl_links: false });
      } catch (err) {
        log.error({ err: deliveryError(err).message, channel, ts }, 'a thread part could not be posted');
      }
    }
    // A failure here leaves the row to be retried; the retry finds the parent and completes the files.
    await upload(channel, ts, files, target);
    return { messageId: ts, channelId: channel };
  }

  return {
    platform: 'slack',
    // chat.postMessage allows about one message per second per channel; the margin absorbs jitter.
    targetIntervalMs: 1050,

    postToChannel: (channelId, message, key, files) => post(channelId, message, key, files),

    async sendDirect(userId, message, key, files) {
      return post(await openDm(userId), message, key, files, { kind: 'user', id: userId });
    },

    async completeFiles(sent, files) {
      const channel = sent.channelId!;
      let present: Set<string>;
      try {
        const res = await client.conversations.replies({ channel, ts: sent.messageId, limit: 200 });
        present = new Set((res.messages ?? []).flatMap((m) => (m.files ?? []).map((f) => f.name ?? '')));
      } catch (err) {
        throw deliveryError(err, targetOfConversation(channel));
      }
      await upload(channel, sent.messageId, files.filter((f) => !present.has(f.name)));
    },

    async updateMessage(channelId, messageId, message, files = []) {
      const { text, blocks } = renderMessage(message);
      try {
        // Round posts keep their round's key in the metadata a retried post is recognised by.
        const edited = message.roundId === undefined ? {} : metadata(message, `round:${message.roundId}`);
        await client.chat.update({ channel: channelId, ts: messageId, text, blocks, ...edited });
        if (!message.replaceFiles) return;
        // A message's files live in its thread: the old ones are deleted, the new ones uploaded there.
        const res = await client.conversations.replies({ channel: channelId, ts: messageId, limit: 200 });
        const old = (res.messages ?? []).flatMap((m) => (m.files ?? []).filter((f) => f.mode !== 'tombstone').map((f) => f.id)).filter((id): id is string => Boolean(id));
        for (const file of old) {
          try {
            await client.files.delete({ file });
          } catch (err) {
            // Already gone is what we wanted.
            const code = (err as { data?: { error?: string } }).data?.error;
            if (code !== 'file_deleted' && code !== 'file_not_found') throw err;
          }
        }
      } catch (err) {
        throw deliveryError(err, targetOfConversation(channelId));
      }
      await upload(channelId, messageId, files);
    },

    /** A mention under the round post; the thread is read first, so a retry after a crash does not say it twice. */
    async postReply(channelId, parentMessageId, message, key) {
      const target = targetOfConversation(channelId);
      try {
        const res = await client.conversations.replies({ channel: channelId, ts: parentMessageId, limit: 200, include_all_metadata: true });
        const found = (res.messages ?? []).find((m) => m.ts !== parentMessageId && (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key);
        if (found?.ts) return { messageId: found.ts, channelId };
      } catch (err) {
        // A parent that is gone is the post's business to report, below.
        if (slackErrorCode(err) !== 'thread_not_found') throw deliveryError(err, target);
      }
      const { text, blocks } = renderMessage(message);
      try {
        const res = await client.chat.postMessage({ channel: channelId, thread_ts: parentMessageId, text, blocks, unfurl_links: false, ...metadata(message, key) });
        return { messageId: res.ts!, channelId: res.channel ?? channelId };
      } catch (err) {
        throw deliveryError(err, target);
      }
    },

    async probe() {
      try {
        await client.auth.test();
      } catch (err) {
        throw deliveryError(err);
      }
    },

    /**
     * conversations.members page by page (Tier 4). A 429 is waited out here, as Slack asks, a few
     * times; a channel that is gone or unreadable throws as a post to it would.
     */
    async channelMembers(channelId) {
      const members = new Set<string>();
      let calls = 0;
      let waits = 0;
      let cursor: string | undefined;
      for (;;) {
        let res: Awaited<ReturnType<typeof client.conversations.members>>;
        calls += 1;
        try {
          res = await client.conversations.members({ channel: channelId, limit: membersPageSize, ...(cursor ? { cursor } : {}) });
        } catch (err) {
          const e = deliveryError(err, { kind: 'channel', id: channelId });
          if (e instanceof RateLimitedError && waits < maxWaits) {
            waits += 1;
            await sleep(e.retryAfterMs);
            continue;
          }
          throw e;
        }
        for (const id of res.members ?? []) members.add(id);
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) return { members, calls };
      }
    },

    async findSent(targetKind, targetId, key) {
      const channel = targetKind === 'user' ? await openDm(targetId) : targetId;
      try {
        const res = await client.conversations.history({ channel, limit: opts.historyLimit ?? 100, include_all_metadata: true });
        const found = (res.messages ?? []).find((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key);
        return found?.ts ? { messageId: found.ts, channelId: channel } : null;
      } catch (err) {
        throw deliveryError(err, targetKind === 'user' ? { kind: 'user', id: targetId } : { kind: 'channel', id: channel });
      }
    },
  };
}
