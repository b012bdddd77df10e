import type { OutFile } from '../../src/core/attachments.js';
import { RateLimitedError, type ChatPort, type OutMessage, type SentRef } from '../../src/core/chat.js';
import type { Platform } from '../../src/db/types.js';

export interface Sent {
  kind: 'post' | 'dm' | 'update';
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

  constructor(readonly platform: Platform = 'local') {}

  private record(kind: Sent['kind'], target: string, message: OutMessage, key: string | null, messageId = `msg-${this.next++}`, files: readonly OutFile[] = []): SentRef {
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

  posts(): Sent[] {
    return this.sent.filter((s) => s.kind === 'post');
  }

  dmsTo(userId: string): Sent[] {
    return this.sent.filter((s) => s.kind === 'dm' && s.target === userId);
  }
}
