import { webApi } from '@slack/bolt';
import type { OutFile } from '../../core/attachments.js';
import { PermanentDeliveryError, RateLimitedError, type ChatPort, type OutMessage, type SentRef } from '../../core/chat.js';
import type { Logger } from '../../log.js';
import { renderMessage } from './blocks.js';

export const ROUND_EVENT_TYPE = 'mentorbot_round';
export const MESSAGE_EVENT_TYPE = 'mentorbot_message';

/** Slack errors that no retry can fix: the outbox row goes dead instead of looping. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'cannot_dm_bot',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_blocks',
  'msg_too_long',
  'restricted_action',
  'missing_scope',
]);

/** Turns a Web API failure into the errors the delivery worker understands. */
export function deliveryError(err: unknown): Error {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e?.code === webApi.ErrorCode.RateLimitedError) return new RateLimitedError(Math.max(1, e.retryAfter ?? 1) * 1000);
  if (e?.code === webApi.ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    if (PERMANENT.has(code)) return new PermanentDeliveryError(`Slack refused the message: ${code}`);
    return new Error(`Slack refused the message: ${code}`);
  }
  return err instanceof Error ? err : new Error(String(err));
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
}

export function createSlackPort(opts: SlackPortOptions): ChatPort {
  const { client, patientClient, log } = opts;

  async function openDm(userId: string): Promise<string> {
    try {
      const res = await client.conversations.open({ users: userId });
      return res.channel!.id!;
    } catch (err) {
      throw deliveryError(err);
    }
  }

  /**
   * Files go into the message's thread (files.uploadV2). They use the patient client: a 429 here
   * must not send the worker back to re-post a parent that is already out.
   */
  async function upload(channel: string, threadTs: string, files: readonly OutFile[]): Promise<void> {
    if (files.length === 0) return;
    try {
      await patientClient.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        file_uploads: files.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name, title: f.name })),
      });
    } catch (err) {
      throw deliveryError(err);
    }
  }

  async function post(channel: string, message: OutMessage, key: string, files: readonly OutFile[] = []): Promise<SentRef> {
    const { text, blocks } = renderMessage(message);
    let ts: string;
    try {
      const res = await client.chat.postMessage({ channel, text, blocks, unfurl_links: false, ...metadata(message, key) });
      ts = res.ts!;
      channel = res.channel ?? channel;
    } catch (err) {
      throw deliveryError(err);
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
    await upload(channel, ts, files);
    return { messageId: ts, channelId: channel };
  }

  return {
    platform: 'slack',
    // chat.postMessage allows about one message per second per channel; the margin absorbs jitter.
    targetIntervalMs: 1050,

    postToChannel: (channelId, message, key, files) => post(channelId, message, key, files),

    async sendDirect(userId, message, key, files) {
      return post(await openDm(userId), message, key, files);
    },

    async completeFiles(sent, files) {
      const channel = sent.channelId!;
      let present: Set<string>;
      try {
        const res = await client.conversations.replies({ channel, ts: sent.messageId, limit: 200 });
        present = new Set((res.messages ?? []).flatMap((m) => (m.files ?? []).map((f) => f.name ?? '')));
      } catch (err) {
        throw deliveryError(err);
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
        throw deliveryError(err);
      }
      await upload(channelId, messageId, files);
    },

    async findSent(targetKind, targetId, key) {
      const channel = targetKind === 'user' ? await openDm(targetId) : targetId;
      try {
        const res = await client.conversations.history({ channel, limit: opts.historyLimit ?? 100, include_all_metadata: true });
        const found = (res.messages ?? []).find((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key);
        return found?.ts ? { messageId: found.ts, channelId: channel } : null;
      } catch (err) {
        throw deliveryError(err);
      }
    },
  };
}
