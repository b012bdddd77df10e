import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor, FormSpec, FormValues, Place, Reply } from '../../core/chat.js';
import { CommandError, parseCommand, SLASH_COMMANDS } from '../../core/commands.js';
import type { Core } from '../../core/core.js';
import { describeSlot } from '../../core/schedule.js';
import type { Scheduler } from '../../jobs/scheduler.js';
import type { LocalChat } from './port.js';

export const DEFAULT_USER = 'organizer';
export const DEFAULT_CHANNEL = 'cohort';

const HELP = `You are typing as a chat user. Commands:
  /as <name>                act as that user (${DEFAULT_USER} is an organizer)
  /in <channel>             move to a channel (default #${DEFAULT_CHANNEL})
  /clock                    show the bot's time · /clock +7d · +3h · +30m · 2026-03-02T09:00
  click <n>                 press the button numbered [n]
  @mentorbot <question>     mention the bot (answers like /faq)
  /checkin /progress /faq /away /cohort /stalled   the bot's commands, exactly as on Slack
  /help · /quit`;

/** Reads the next typed line after showing a prompt; null when input has ended. */
type Ask = (prompt: string) => Promise<string | null>;

export interface TerminalOptions {
  core: Core;
  scheduler: Scheduler;
  chat: LocalChat;
  input: Readable;
  output: Writable;
  zone?: string;
}

export function parseClockShift(text: string): { advanceMs: number } | { set: Date } | null {
  const rel = /^\+(\d+)\s*(m|min|h|d|w)$/i.exec(text.trim());
  if (rel) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2]!.toLowerCase() as 'm'];
    return { advanceMs: Number(rel[1]) * unit };
  }
  const at = new Date(text.trim());
  return Number.isNaN(at.getTime()) ? null : { set: at };
}

/** The terminal mode: the same commands, replies and scheduled messages as Slack, typed by hand. */
export class Terminal {
  private user = DEFAULT_USER;
  private channel = DEFAULT_CHANNEL;

  constructor(private readonly opts: TerminalOptions) {}

  private print(text: string): void {
    this.opts.output.write(`${text}\n`);
  }

  private actor(): Actor {
    return { platform: 'local', userId: this.user, displayName: this.user, isAdmin: this.user === DEFAULT_USER };
  }

  private place(): Place {
    return { channelId: this.channel };
  }

  prompt(): string {
    return `${this.user} in #${this.channel}> `;
  }

  async run(): Promise<void> {
    const rl = createInterface({ input: this.opts.input, output: this.opts.output, terminal: Boolean((this.opts.output as NodeJS.WriteStream).isTTY) });
    const lines = rl[Symbol.asyncIterator]();
    const ask: Ask = async (prompt) => {
      this.opts.output.write(prompt);
      const next = await lines.next();
      return next.done ? null : next.value;
    };
    this.print(`mentorbot terminal mode. The bot's clock: ${this.clockText()}. Type /help.`);
    try {
      for (;;) {
        const line = await ask(this.prompt());
        if (line === null || !(await this.handle(line, ask))) return;
      }
    } finally {
      rl.close();
    }
  }

  private clockText(): string {
    return describeSlot(this.opts.core.deps.clock.now(), this.opts.zone ?? 'UTC');
  }

  /** Handles one typed line; false ends the session. */
  async handle(raw: string, ask?: Ask): Promise<boolean> {
    const line = raw.trim();
    if (!line) return true;
    const [head = '', ...restWords] = line.split(/\s+/);
    const rest = line.slice(head.length).trim();
    switch (head.toLowerCase()) {
      case '/quit':
      case '/exit':
        return false;
      case '/help':
        this.print(HELP);
        return true;
      case '/as':
        if (!/^[\w.-]+$/.test(rest)) this.print('Usage: /as <name>, e.g. /as maria');
        else {
          this.user = rest.toLowerCase();
          this.print(`You are now @${this.user}${this.user === DEFAULT_USER ? ' (organizer)' : ''}.`);
        }
        return true;
      case '/in':
        if (!/^#?[\w.-]+$/.test(rest)) this.print('Usage: /in <channel>, e.g. /in spring-cohort');
        else {
          this.channel = rest.replace(/^#/, '').toLowerCase();
          this.print(`You are now in #${this.channel}.`);
        }
        return true;
      case '/clock':
        await this.clock(rest);
        return true;
      case 'click':
      case '/click':
        await this.click(restWords[0] ?? '', ask);
        return true;
    }
    if (/^@mentorbot\b/i.test(line)) {
      await this.show(await this.opts.core.mention(this.actor(), this.place(), line.replace(/^@mentorbot/i, '')), ask);
      return true;
    }
    const name = head.replace(/^\//, '').toLowerCase();
    if (head.startsWith('/') && (SLASH_COMMANDS as readonly string[]).includes(name)) {
      try {
        const command = parseCommand(name, rest);
        await this.show(await this.opts.core.command(this.actor(), this.place(), command), ask);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        this.print(`${err.message}\nUsage: ${err.usage}`);
      }
      return true;
    }
    this.print(head.startsWith('/') ? `${head} is not a command here. Type /help.` : 'Messages to the channel are not read; mention @mentorbot or use a command. /help lists them.');
    return true;
  }

  private async clock(arg: string): Promise<void> {
    const clock = this.opts.core.deps.clock;
    if (arg) {
      const shift = parseClockShift(arg);
      if (!shift) {
        this.print('Usage: /clock +7d · +3h · +30m · 2026-03-02T09:00');
        return;
      }
      if ('advanceMs' in shift) {
        // Walk forward hour by hour so reminders, flags and digests come out when they would have.
        const target = clock.now().getTime() + shift.advanceMs;
        while (clock.now().getTime() < target) {
          clock.advance(Math.min(3_600_000, target - clock.now().getTime()));
          await this.opts.scheduler.runNow();
        }
      } else {
        clock.set(shift.set);
        await this.opts.scheduler.runNow();
      }
    }
    this.print(`The bot's clock: ${this.clockText()}.`);
  }

  private async click(arg: string, ask?: Ask): Promise<void> {
    const entry = /^\d+$/.test(arg) ? this.opts.chat.button(Number(arg)) : undefined;
    if (!entry) {
      this.print(`There is no button [${arg}]. Buttons are numbered in square brackets, e.g. click 3.`);
      return;
    }
    const reply = await this.opts.core.action(this.actor(), { channelId: entry.channelId, messageId: entry.messageId }, entry.button.action, entry.button.value);
    await this.show(reply, ask, entry);
  }

  private async show(reply: Reply, ask?: Ask, clicked?: { channelId: string; messageId: string }): Promise<void> {
    const chat = this.opts.chat;
    switch (reply.kind) {
      case 'message':
        if (reply.message.private) chat.show(`only @${this.user} sees this`, this.channel, reply.message);
        else chat.show(`#${this.channel}`, this.channel, reply.message);
        break;
      case 'update':
        if (clicked) await chat.updateMessage(clicked.channelId, clicked.messageId, reply.message);
        if (reply.notice) chat.show(`only @${this.user} sees this`, this.channel, reply.notice);
        break;
      case 'form-errors':
        chat.show(`only @${this.user} sees this`, this.channel, reply.message);
        break;
      case 'form':
        if (!ask) {
          this.print('(a form would open here)');
          return;
        }
        await this.fillForm(reply.form, ask);
        break;
    }
    await this.opts.scheduler.drain();
  }

  private async fillForm(form: FormSpec, ask: Ask): Promise<void> {
    this.print(`── ${form.title} (press Enter to keep a value or skip an optional field)`);
    const values: FormValues = {};
    for (const field of form.fields) {
      const options = field.options ? ` [${field.options.map((o) => o.value).join(' | ')}]` : '';
      const initial = Array.isArray(field.initial) ? field.initial.join(',') : field.initial;
      const typed = await ask(`${field.label}${options}${initial ? ` (${initial})` : ''}${field.optional ? ' (optional)' : ''}: `);
      if (typed === null) return;
      const answer = typed.trim() || initial || '';
      if (field.kind === 'multiselect') values.milestones = answer ? answer.split(/[,\s]+/).filter(Boolean) : [];
      else if (answer) values[field.id as Exclude<keyof FormValues, 'milestones'>] = answer;
    }
    await this.show(await this.opts.core.submitForm(this.actor(), this.place(), form.id, form.state, values), ask);
  }
}
