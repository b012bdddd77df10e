import { dmsWaitingForDaytime } from '../../core/waiting-dms.js';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor, ChannelTrouble, FormField, FormSpec, FormValues, Place, Reply } from '../../core/chat.js';
import type { PlatformEvent } from '../../core/platform-events.js';
import { reconcileMembers } from '../../jobs/reconcile.js';
import { CommandError, parseCommand, SLASH_COMMANDS } from '../../core/commands.js';
import type { Core } from '../../core/core.js';
import { describeSlot } from '../../core/schedule.js';
import type { Scheduler } from '../../jobs/scheduler.js';
import type { LocalChat } from './port.js';
import { saveClock } from './saved-clock.js';

export const DEFAULT_USER = 'organizer';
export const DEFAULT_CHANNEL = 'cohort';

const HELP = `You are typing as a chat user. Text after " # " is a comment and is ignored.

The terminal:
  /as <name>                       act as that user (${DEFAULT_USER} is an organizer; /as @dana works too)
  /in <channel>                    move to a channel (default #${DEFAULT_CHANNEL})
  /clock                           show the bot's time · /clock +7d · +3h · +30m · 2026-03-02T09:00
  click <n>                        press the button numbered [n] (buttons in a DM: only its recipient)
  @mentorbot <question>            mention the bot (answers like /faq)
  /help · /quit

The platform changing under the bot, acted out (what Slack or Discord would tell the bot):
  /platform leave @name · join @name       someone leaves or joins this channel
  /platform deactivate @name · reactivate @name
                                   the account is deactivated (or back): gone from every cohort
  /platform vanish @name           leaves this channel without the bot hearing of it (the daily check finds it)
  /platform archive · unarchive · remove-bot · invite-bot
                                   this channel becomes unusable for the bot, or usable again
  /platform revoke · restore       the bot's access is revoked (sending stops) · given back (a probe finds it)
  /platform close-dms @name · open-dms @name
                                   someone stops (or starts) accepting direct messages
  /platform check                  run the channel members check now (it runs after a start and daily)

The bot's commands, exactly as on Slack (who may use each):
  /checkin                         learner     the check-in form, field by field (/cancel leaves it)
  /checkin on-track|behind|blocked|done [note]
                                   learner     check in at once
  /progress [@user]                learner: yourself · mentor: anyone in their cohorts
  /faq <question>                  anyone      the best curated answer
  /away <YYYY-MM-DD> · /away back · /away
                                   learner     set or replace a break (no reminders or stall flags until that date) · end it now · show it
  /evidence <url> [milestone:<id>] · /evidence
                                   learner     link your work to the current (or named) milestone; it is checked · list your links
  /cohort create name:<text> program:<id> start:<YYYY-MM-DD> day:<mon..sun> time:<HH:MM> tz:<Area/City>
                                   organizer   bind this channel to a new cohort
  /cohort join                     anyone      join the cohort of this channel as a learner
  /cohort add @user · /cohort mentor @user · /cohort remove @user
                                   organizer   manage learners and mentors
  /cohort pause · /cohort resume · /cohort skip <YYYY-MM-DD> · /cohort unskip <YYYY-MM-DD>
                                   organizer   pause, resume, skip a holiday week, give a skipped week back
  /cohort edit [day:<mon..sun>] [time:<HH:MM>] [tz:<Area/City>]
                                   organizer   move every week not yet posted
  /cohort schedule                 member      every week's date, skipped and paused weeks, weeks not run
  /cohort status                   mentor      this week: who checked in, who has not, open flags
  /cohort report                   mentor      the cohort heatmap by DM (written under DATA_DIR/reports/)
  /stalled                         mentor      open stall flags in your cohorts
  /mydata · /mydata delete         anyone      what the bot keeps about you (Download writes the files under DATA_DIR/exports/) · erase it
  /dashboard                       member      a one-time link that signs you in to the web dashboard (open it in a browser)
  /me · /me tz:<Area/City> · /me remind:<day> <HH:MM> · /me remind:default
                                   anyone      your time zone and reminder slot: show them, set them (nothing reaches you 21:00–09:00)`;

/** Drops a trailing \` # comment\` (or a whole \`# comment\` line), except inside double quotes. */
export function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"' || c === '“' || c === '”') quoted = c === '“' ? true : c === '”' ? false : !quoted;
    else if (c === '\\') i++;
    else if (c === '#' && !quoted && (i === 0 || /\s/.test(line[i - 1]!)) && (i + 1 === line.length || /\s/.test(line[i + 1]!))) return line.slice(0, i).trimEnd();
  }
  return line;
}

/** Reads the next typed line after showing a prompt; null when input has ended. */
type Ask = (prompt: string) => Promise<string | null>;

export interface TerminalOptions {
  core: Core;
  scheduler: Scheduler;
  chat: LocalChat;
  input: Readable;
  output: Writable;
  zone?: string;
  /** Lines shown before the first prompt (where the bot serves HTTP, where its data lives). */
  banner?: string[];
  /** Where the simulated time is kept between sessions (see saved-clock.ts). */
  clockFile?: string;
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
const WAITING_WORDS: Record<string, string> = {
  reminder: 'a reminder',
  alert: 'a stall alert',
  digest: 'the weekly digest',
  notice: 'a notice',
  report: 'a report',
  failures: 'the list of undelivered messages',
};

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

  /** Reads lines until `/quit` ('quit') or the end of the input ('end'). */
  async run(): Promise<'quit' | 'end'> {
    const rl = createInterface({ input: this.opts.input, output: this.opts.output, terminal: Boolean((this.opts.output as NodeJS.WriteStream).isTTY) });
    const lines = rl[Symbol.asyncIterator]();
    const ask: Ask = async (prompt) => {
      this.opts.output.write(prompt);
      const next = await lines.next();
      return next.done ? null : next.value;
    };
    for (const line of this.opts.banner ?? []) this.print(line);
    this.print(`mentorbot terminal mode. The bot's clock: ${this.clockText()}. Type /help.`);
    try {
      for (;;) {
        const line = await ask(this.prompt());
        const more = line !== null && (await this.handle(line, ask));
        if (this.opts.clockFile) saveClock(this.opts.clockFile, this.opts.core.deps.clock.now());
        if (!more) return line === null ? 'end' : 'quit';
      }
    } finally {
      rl.close();
    }
  }

  private clockText(): string {
    return describeSlot(this.opts.core.deps.clock.now(), this.opts.zone ?? 'UTC');
  }

  /** A session command typed inside a form (/quit, /as): the form is left and the command runs next. */
  private leftFormWith: string | null = null;

  /** Handles one typed line; false ends the session. */
  async handle(raw: string, ask?: Ask): Promise<boolean> {
    const more = await this.handleLine(raw, ask);
    await this.noteWaitingDms();
    const next = this.leftFormWith;
    this.leftFormWith = null;
    return next === null ? more : more && this.handle(next, ask);
  }

  private readonly notedWaiting = new Set<string>();

  /** Says once, for each DM held back by its reader's night, when it will go: nothing looks lost. */
  private async noteWaitingDms(): Promise<void> {
    const waiting = (await dmsWaitingForDaytime(this.opts.core.deps.db, 'local', this.opts.core.deps.clock.now())).filter((w) => !this.notedWaiting.has(w.key));
    for (const w of waiting) {
      this.notedWaiting.add(w.key);
      this.print(`(${WAITING_WORDS[w.kind] ?? 'a message'} to @${w.targetId} waits for their morning: ${describeSlot(w.at, w.zone)}; nothing the bot starts reaches anyone 21:00–09:00 their time. /clock moves time.)`);
    }
  }

  private async handleLine(raw: string, ask?: Ask): Promise<boolean> {
    const line = stripComment(raw).trim();
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
        if (!/^@?[\w.-]+$/.test(rest)) this.print('Usage: /as <name>, e.g. /as maria');
        else {
          this.user = rest.replace(/^@/, '').toLowerCase();
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
      case '/platform':
        await this.platform(restWords);
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

  private async platform([verb = '', who = '']: string[]): Promise<void> {
    const chat = this.opts.chat;
    const world = chat.world;
    const user = who.replace(/^@/, '').toLowerCase();
    const needUser = ['leave', 'join', 'deactivate', 'reactivate', 'vanish', 'close-dms', 'open-dms'].includes(verb);
    if (needUser && !/^[\w.-]+$/.test(user)) {
      this.print(`Say who: /platform ${verb} @name`);
      return;
    }
    const event = (e: PlatformEvent) => this.opts.core.platformEvent(e);
    const gone = chat.goneFrom(this.channel);
    const trouble = (t: ChannelTrouble, what: string) => {
      world.trouble.set(this.channel, t);
      this.print(`#${this.channel} ${what}.`);
      return event({ kind: 'channel-unreachable', platform: 'local', channelId: this.channel, trouble: t });
    };
    switch (verb) {
      case 'leave':
        gone.add(user);
        this.print(`@${user} left #${this.channel}.`);
        await event({ kind: 'member-left', platform: 'local', userId: user, channelId: this.channel, reason: 'left-channel' });
        break;
      case 'join':
        gone.delete(user);
        this.print(`@${user} joined #${this.channel}.`);
        await event({ kind: 'member-joined', platform: 'local', userId: user, channelId: this.channel, displayName: user });
        break;
      case 'deactivate':
        world.deactivated.add(user);
        this.print(`@${user}'s account is deactivated.`);
        await event({ kind: 'member-left', platform: 'local', userId: user, reason: 'deactivated' });
        break;
      case 'reactivate':
        world.deactivated.delete(user);
        this.print(`@${user}'s account is active again.`);
        await event({ kind: 'member-joined', platform: 'local', userId: user });
        break;
      case 'vanish':
        gone.add(user);
        this.print(`@${user} left #${this.channel}; the bot was not told.`);
        break;
      case 'archive':
        await trouble('archived', 'is archived');
        break;
      case 'remove-bot':
        await trouble('bot-removed', 'no longer has the bot');
        break;
      case 'unarchive':
      case 'invite-bot':
        world.trouble.delete(this.channel);
        this.print(verb === 'unarchive' ? `#${this.channel} is unarchived.` : `The bot is back in #${this.channel}.`);
        await event({ kind: 'channel-reachable', platform: 'local', channelId: this.channel });
        break;
      case 'revoke':
        world.revoked = 'token_revoked';
        this.print("The bot's token is revoked: its next message fails, and it holds everything until access returns.");
        break;
      case 'restore':
        world.revoked = null;
        this.print("The bot's access is given back; its probe (about once a minute) finds it. Try /clock +2m.");
        break;
      case 'close-dms':
        world.dmsClosed.add(user);
        this.print(`@${user} no longer accepts direct messages.`);
        break;
      case 'open-dms':
        world.dmsClosed.delete(user);
        this.print(`@${user} accepts direct messages again.`);
        break;
      case 'check': {
        const result = await reconcileMembers(this.opts.core.deps, new Map([['local', chat]]), { force: true });
        this.print(`Checked ${result.cohorts} cohort channel${result.cohorts === 1 ? '' : 's'}: ${result.left} left, ${result.returned} back, unannounced.`);
        break;
      }
      default:
        this.print('Usage: /platform leave|join|deactivate|reactivate|vanish|close-dms|open-dms @name · /platform archive|unarchive|remove-bot|invite-bot|revoke|restore|check (/help says what each does)');
        return;
    }
    await this.opts.scheduler.drain();
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
      } else if (shift.set.getTime() < clock.now().getTime()) {
        // What the bot recorded happened at the times it was told; going back would put data in its future.
        this.print(`The bot's clock is at ${this.clockText()} and only moves forward. Give a later time, or +7d · +3h · +30m.`);
        return;
      } else {
        clock.set(shift.set);
        await this.opts.scheduler.runNow();
      }
    }
    this.print(`The bot's clock: ${this.clockText()}.`);
  }

  private async click(arg: string, ask?: Ask): Promise<void> {
    if (!arg) {
      this.print('Say which button: click <n>, e.g. click 3. Buttons are numbered in square brackets.');
      return;
    }
    const entry = /^\d+$/.test(arg) ? this.opts.chat.button(Number(arg)) : undefined;
    if (!entry) {
      this.print(`There is no button [${arg}]. Buttons are numbered in square brackets, e.g. click 3.`);
      return;
    }
    const recipient = this.opts.chat.dmRecipient(entry.channelId);
    if (recipient !== null && recipient !== this.user) {
      this.print(`Button [${arg}] is in @${recipient}'s DM; only @${recipient} can press it (/as ${recipient} to be them).`);
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
    this.print(`── ${form.title} (press Enter to keep a value or skip an optional field; /cancel leaves the form)`);
    const values: FormValues = {};
    for (const field of form.fields) {
      const options = field.options ? ` [${field.options.map((o) => o.value).join(' | ')}]` : '';
      const initial = Array.isArray(field.initial) ? field.initial.join(',') : field.initial;
      const prompt = `${field.label}${options}${initial ? ` (${initial})` : ''}${field.optional ? ' (optional)' : ''}: `;
      // As a Slack or Discord form would, each field is checked as it is filled, and asked again until it fits.
      for (;;) {
        const typed = await ask(prompt);
        if (typed === null) return;
        const line = stripComment(typed).trim();
        if (line.toLowerCase() === '/cancel') {
          this.print('Form cancelled; nothing was saved.');
          return;
        }
        if (/^\/(quit|exit|as)\b/i.test(line)) {
          this.print('Form left; nothing was saved.');
          this.leftFormWith = line;
          return;
        }
        if (line.startsWith('/')) {
          this.print(`You are filling in the ${form.title} form: answer "${field.label}", or type /cancel to leave it.`);
          continue;
        }
        const answer = line || initial || '';
        const problem = fieldProblem(field, answer);
        if (problem) {
          this.print(problem);
          continue;
        }
        if (field.kind === 'multiselect') values.milestones = answer ? answer.split(/[,\s]+/).filter(Boolean) : [];
        else if (answer) values[field.id as Exclude<keyof FormValues, 'milestones'>] = answer;
        break;
      }
    }
    await this.show(await this.opts.core.submitForm(this.actor(), this.place(), form.id, form.state, values), ask);
  }
}

/** What a form widget would not let through: a missing required value, a choice not offered, text too long. */
function fieldProblem(field: FormField, answer: string): string | null {
  if (!answer) return field.optional ? null : `${field.label} is required.`;
  const offered = field.options?.map((o) => o.value);
  if (offered && field.kind === 'select' && !offered.includes(answer)) return `"${answer}" is not one of ${offered.join(', ')}.`;
  if (offered && field.kind === 'multiselect') {
    const unknown = answer.split(/[,\s]+/).filter((v) => v && !offered.includes(v));
    if (unknown.length > 0) return `${unknown.map((v) => `"${v}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not offered; choose from ${offered.join(', ')}, separated by commas.`;
  }
  if (field.maxLength && answer.length > field.maxLength) return `That is ${answer.length} characters; ${field.label} takes at most ${field.maxLength}.`;
  return null;
}
