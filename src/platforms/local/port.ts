import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OutFile } from '../../core/attachments.js';
import { AccessLostError, ChannelUnreachableError, RecipientUnreachableError, type ChannelTrouble, type ChatPort, type OutMessage, type SentRef } from '../../core/chat.js';
import { frame, plainText } from './render.js';
import { readSavedButtons, saveButtons, type NumberedButton } from './saved-buttons.js';

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
  private readonly buttons = new Map<number, NumberedButton>();
  private nextButton = 1;
  private nextMessage = 1;
  /**
   * Message ids outlive a session (the bot keeps them to edit alerts and round posts later), so each
   * session numbers its messages under its own prefix: an edit never lands on another session's message.
   */
  private readonly session = Math.floor(Date.now() / 1000).toString(36).slice(-3);

  /** Every file written, in order. */
  readonly filesWritten: string[] = [];

  /**
   * The platform as the terminal acts it out (`/platform …`): who is in each channel, which channels
   * cannot be used, whose DMs are closed, whether the bot's access is revoked. Sending fails as Slack
   * or Discord would fail, so the bot's reactions can be seen without either.
   */
  readonly world = {
    /** Who left each channel (as far as the acted-out platform knows); everyone else is in it. */
    gone: new Map<string, Set<string>>(),
    deactivated: new Set<string>(),
    trouble: new Map<string, ChannelTrouble>(),
    dmsClosed: new Set<string>(),
    revoked: null as string | null,
    calls: 0,
  };

  /** The people the bot knows in a channel (its cohort's members), for the acted-out member list; unset, no list is given. */
  knownIn: ((channelId: string) => Promise<string[]>) | null = null;

  goneFrom(channelId: string): Set<string> {
    if (!this.world.gone.has(channelId)) this.world.gone.set(channelId, new Set());
    return this.world.gone.get(channelId)!;
  }

  private check(channelId: string | null, dmTo?: string): void {
    this.world.calls += 1;
    if (this.world.revoked) throw new AccessLostError(this.world.revoked);
    if (channelId && this.world.trouble.has(channelId)) throw new ChannelUnreachableError(this.world.trouble.get(channelId)!, `#${channelId}: ${this.world.trouble.get(channelId)}`);
    if (dmTo && this.world.dmsClosed.has(dmTo)) throw new RecipientUnreachableError(`@${dmTo} does not accept direct messages`);
  }

  async probe(): Promise<void> {
    this.check(null);
  }

  async channelMembers(channelId: string): Promise<{ members: Set<string>; calls: number } | null> {
    this.check(channelId);
    if (!this.knownIn) return null;
    const gone = this.goneFrom(channelId);
    return { members: new Set((await this.knownIn(channelId)).filter((u) => !gone.has(u) && !this.world.deactivated.has(u))), calls: 1 };
  }

  async postReply(channelId: string, parentMessageId: string, message: OutMessage): Promise<SentRef> {
    this.check(channelId);
    return { messageId: this.show(`#${channelId}, in the thread of ${parentMessageId}`, channelId, message) };
  }

  constructor(
    private readonly print: (text: string) => void,
    /**
     * DATA_DIR: files are written under it and their path printed, as a chat would show an
     * attachment: pictures under reports/, data (a learner's download) under exports/.
     */
    private readonly filesDir: string | null = null,
    /** Where button numbers are kept across sessions (DATA_DIR/terminal-buttons.json); null: this session only. */
    private readonly buttonsFile: string | null = null,
  ) {
    if (buttonsFile) {
      const saved = readSavedButtons(buttonsFile);
      for (const [n, b] of saved.buttons) this.buttons.set(n, b);
      this.nextButton = saved.next;
    }
  }

  private writeFiles(files: readonly OutFile[] = []): void {
    if (files.length === 0) return;
    if (!this.filesDir) {
      for (const f of files) this.print(`   📎 ${f.name} (${f.contentType}, ${f.bytes.length} bytes; not written: no data directory)`);
      return;
    }
    for (const f of files) {
      const dir = path.join(this.filesDir, f.contentType.startsWith('image/') ? 'reports' : 'exports');
      mkdirSync(dir, { recursive: true });
      const file = path.resolve(dir, path.basename(f.name));
      writeFileSync(file, f.bytes);
      this.filesWritten.push(file);
      this.print(`   📎 ${f.name} written to ${file}`);
    }
  }

  show(header: string, channelId: string, message: OutMessage, messageId = `${this.session}-m${this.nextMessage++}`): string {
    const numbered = (message.buttons ?? []).map((button) => {
      const n = this.nextButton++;
      this.buttons.set(n, { button, channelId, messageId });
      return { n, button };
    });
    if (numbered.length > 0 && this.buttonsFile) saveButtons(this.buttonsFile, this.nextButton, this.buttons);
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

  async postToChannel(channelId: string, message: OutMessage, _key?: string, files?: readonly OutFile[]): Promise<SentRef> {
    this.check(channelId);
    const messageId = this.show(`#${channelId}`, channelId, message);
    this.writeFiles(files);
    return { messageId };
  }

  async sendDirect(userId: string, message: OutMessage, _key?: string, files?: readonly OutFile[]): Promise<SentRef> {
    this.check(null, userId);
    const channelId = `dm-${userId}`;
    const messageId = this.show(`DM to @${userId}`, channelId, message);
    this.writeFiles(files);
    return { messageId, channelId };
  }

  /**
   * An edit is shown as one line: the first line that changed since this session last showed the
   * message (else its last line, where the round count lives); its buttons keep their numbers.
   */
  async updateMessage(channelId: string, messageId: string, message: OutMessage, files: readonly OutFile[] = []): Promise<void> {
    this.check(this.dmRecipient(channelId) === null ? channelId : null);
    const before = this.shown.findLast((m) => m.id === messageId && m.channelId === channelId)?.message.text.trim().split('\n');
    const lines = message.text.trim().split('\n');
    const changed = before ? lines.find((line, i) => line.trim() !== '' && line !== before[i]) : undefined;
    this.shown.push({ id: messageId, channelId, header: `#${channelId} (edited)`, message });
    const shown = plainText(changed ?? lines.at(-1) ?? '');
    this.print(`   ↺ #${channelId}, message ${messageId} ${changed ? 'now reads' : 'now ends'}: ${shown}`);
    if (!message.replaceFiles) return;
    if (files.length === 0) this.print('   📎 its picture was removed');
    else this.writeFiles(files);
  }
}
