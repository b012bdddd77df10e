import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Button, ChatPort, OutMessage, SentRef } from '../../core/chat.js';
import type { DataFile, UserKey } from '../../core/learner-data.js';
import { frame } from './render.js';

/** Where the terminal puts the files a DM carries (`/mydata` → Download), and how to build them. */
export interface LocalExports {
  dir: string;
  build(user: UserKey): Promise<DataFile[]>;
}

export interface ShownMessage {
  id: string;
  channelId: string;
  header: string;
  message: OutMessage;
}

/**
 * The terminal as a chat platform: posts and DMs are printed as Slack or Discord would show them,
 * and every button gets a number that `click N` presses.
 */
export class LocalChat implements ChatPort {
  readonly platform = 'local' as const;
  readonly shown: ShownMessage[] = [];
  private readonly buttons = new Map<number, { button: Button; channelId: string; messageId: string }>();
  private nextButton = 1;
  private nextMessage = 1;

  constructor(
    private readonly print: (text: string) => void,
    private readonly exports?: LocalExports,
  ) {}

  show(header: string, channelId: string, message: OutMessage, messageId = `m${this.nextMessage++}`): string {
    const numbered = (message.buttons ?? []).map((button) => {
      const n = this.nextButton++;
      this.buttons.set(n, { button, channelId, messageId });
      return { n, button };
    });
    this.shown.push({ id: messageId, channelId, header, message });
    this.print(frame(header, message, numbered));
    return messageId;
  }

  /** The user a DM channel belongs to, or null for a channel. */
  dmRecipient(channelId: string): string | null {
    return channelId.startsWith('dm-') ? channelId.slice(3) : null;
  }

  button(n: number) {
    return this.buttons.get(n);
  }

  async postToChannel(channelId: string, message: OutMessage): Promise<SentRef> {
    return { messageId: this.show(`#${channelId}`, channelId, message) };
  }

  async sendDirect(userId: string, message: OutMessage): Promise<SentRef> {
    const channelId = `dm-${userId}`;
    const messageId = this.show(`DM to @${userId}`, channelId, message);
    if (message.dataExport && this.exports) await this.writeFiles(message.dataExport);
    return { messageId, channelId };
  }

  /** The terminal has no attachments: the files go under DATA_DIR/exports/ and their paths are shown. */
  private async writeFiles(user: UserKey): Promise<void> {
    const files = await this.exports!.build(user);
    await mkdir(this.exports!.dir, { recursive: true });
    for (const file of files) {
      const at = path.resolve(this.exports!.dir, file.name);
      await writeFile(at, file.data);
      this.print(`   📎 ${file.name} (${file.contentType}, ${file.data.length} bytes): ${at}`);
    }
  }

  /**
   * An edit is shown as one line: the first line that changed since this session last showed the
   * message (else its last line, where the round count lives); its buttons keep their numbers.
   */
  async updateMessage(channelId: string, messageId: string, message: OutMessage): Promise<void> {
    const before = [...this.shown].reverse().find((m) => m.id === messageId && m.channelId === channelId)?.message.text.trim().split('\n');
    const lines = message.text.trim().split('\n');
    const changed = before ? lines.find((line, i) => line !== before[i]) : undefined;
    this.shown.push({ id: messageId, channelId, header: `#${channelId} (edited)`, message });
    const shown = (changed ?? lines.at(-1) ?? '').replace(/\*\*|_/g, '');
    this.print(`   ↺ #${channelId}, message ${messageId} ${changed ? 'now reads' : 'now ends'}: ${shown}`);
  }
}
