import type { OutFile } from '../../src/core/attachments.js';
import { RateLimitedError, type ChatPort, type OutMessage, type SentRef } from '../../src/core/chat.js';
import type { Platform } from '../../src/db/types.js';

export interface Sent {
  kind: 'post' | 'dm' | 'update' | 'reply' | 'probe';
  target: string;
  messageId: string;
  message: OutMessage;
  key: string | null;
  files: readonly OutFile[];
}

/** A chat platform that records what it was asked to send; can be told to rate-limit or fail. */
export class RecordingPort implements ChatPort {
  readonly sent: Sent[] = [];
  private next = 1;
  rateLimitNext = 0;
  failNext = 0;
  /** Decides, per send, an error the platform answers with (a revoked token, an archived channel, closed DMs). */
  refuse: ((kind: Sent['kind'], target: string) => Error | null) | null = null;
  /** Every attempt, delivered or refused: what a retry storm would show. */
  attempts = 0;

  constructor(readonly platform: Platform = 'local') {}

  private record(kind: Sent['kind'], target: string, message: OutMessage, key: string | null, messageId = `msg-${this.next++}`, files: readonly OutFile[] = []): SentRef {
    this.attempts += 1;
    const refused = this.refuse?.(kind, target);
    if (refused) throw refused;
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      throw new RateLimitedError(1000);
    }
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
    this.sent.push({ kind, target, messageId, message, key, files });
    return { messageId };
  }

  async postToChannel(channelId: string, message: OutMessage, key: string, files?: readonly OutFile[]): Promise<SentRef> {
    return this.record('post', channelId, message, key, undefined, files);
  }

  async sendDirect(userId: string, message: OutMessage, key: string, files?: readonly OutFile[]): Promise<SentRef> {
    return this.record('dm', userId, message, key, undefined, files);
  }

  async updateMessage(channelId: string, messageId: string, message: OutMessage, files?: readonly OutFile[]): Promise<void> {
    this.record('update', `${channelId}/${messageId}`, message, null, messageId, message.replaceFiles ? (files ?? []) : []);
  }

  async postReply(channelId: string, parentMessageId: string, message: OutMessage, key: string): Promise<SentRef> {
    return this.record('reply', `${channelId}/${parentMessageId}`, message, key);
  }

  async probe(): Promise<void> {
    this.attempts += 1;
    const refused = this.refuse?.('probe', '');
    if (refused) throw refused;
  }

  posts(): Sent[] {
    return this.sent.filter((s) => s.kind === 'post');
  }

  dmsTo(userId: string): Sent[] {
    return this.sent.filter((s) => s.kind === 'dm' && s.target === userId);
  }
}
