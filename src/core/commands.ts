import type { CheckinStatus } from '../db/types.js';
import { CHECKIN_STATUSES } from './chat.js';
import { EVIDENCE_USAGE } from './messages/evidence.js';

export interface UserRef {
  id: string;
  name?: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type Command =
  | { name: 'checkin'; status?: CheckinStatus; note?: string }
  | { name: 'progress'; user?: UserRef }
  | { name: 'faq'; question: string }
  | { name: 'away'; until: string }
  | { name: 'away.back' }
  | { name: 'away.show' }
  | { name: 'evidence'; url: string; milestone?: string }
  | { name: 'evidence.list' }
  | { name: 'cohort.create'; cohortName: string; program: string; start: string; day: string; time: string; tz: string }
  | { name: 'cohort.join' }
  | { name: 'cohort.add'; user: UserRef }
  | { name: 'cohort.mentor'; user: UserRef }
  | { name: 'cohort.remove'; user: UserRef }
  | { name: 'cohort.status' }
  | { name: 'cohort.pause' }
  | { name: 'cohort.resume' }
  | { name: 'cohort.skip'; date: string }
  | { name: 'cohort.unskip'; date: string }
  | { name: 'cohort.edit'; day?: string; time?: string; tz?: string; channel?: ChannelRef; cohort?: string }
  | { name: 'cohort.schedule' }
  | { name: 'cohort.report' }
  | { name: 'stalled' }
  | { name: 'mydata' }
  | { name: 'mydata.delete' }
  | { name: 'dashboard' }
  | { name: 'me' }
  | { name: 'me.set'; tz?: string | 'default'; remind?: { day: string; time: string } | 'default' };

export type CommandName = Command['name'];

/** The top-level slash commands, as registered on each platform. */
export const SLASH_COMMANDS = ['checkin', 'progress', 'faq', 'away', 'evidence', 'cohort', 'stalled', 'mydata', 'dashboard', 'me'] as const;
export type SlashCommand = (typeof SLASH_COMMANDS)[number];

export const USAGE: Record<SlashCommand, string> = {
  checkin: '`/checkin` opens the form · `/checkin on-track|behind|blocked|done [note]` checks in at once',
  progress: '`/progress` for yourself · `/progress @user` for a learner in your cohorts (mentors)',
  faq: '`/faq <question>`, e.g. `/faq how long does the move to ML engineering take?`',
  away: '`/away YYYY-MM-DD`: no reminders or stall flags until the day you are back, e.g. `/away 2026-12-31` (replaces a break already set) · `/away back` ends it now · `/away` shows it',
  evidence: EVIDENCE_USAGE,
  cohort: [
    '`/cohort create name:<text> program:<id> start:<YYYY-MM-DD> day:<mon..sun> time:<HH:MM> tz:<Area/City>`',
    '`/cohort join` · `/cohort status` · `/cohort schedule`',
    '`/cohort add @user` · `/cohort mentor @user` · `/cohort remove @user`',
    '`/cohort pause` · `/cohort resume` · `/cohort skip <YYYY-MM-DD>` · `/cohort unskip <YYYY-MM-DD>`',
    '`/cohort edit [day:<mon..sun>] [time:<HH:MM>] [tz:<Area/City>]` · `/cohort edit channel:#new [cohort:<name>]` moves the cohort',
    '`/cohort report`: the cohort heatmap and figures, sent to you privately (mentors)',
  ].join('\n'),
  stalled: '`/stalled` lists the open stall flags in your cohorts',
  mydata: '`/mydata` shows what I keep about you, with a Download button · `/mydata delete` erases it (after you confirm)',
  dashboard: '`/dashboard` sends you a private one-time link that signs you in to the web dashboard',
  me: '`/me` shows your time zone and reminder slot · `/me tz:<Area/City>` sets your zone, e.g. `/me tz:America/Los_Angeles` (`tz:default` goes back to your profile\'s or the cohort\'s) · `/me remind:<day> <HH:MM>` picks your reminder slot, e.g. `/me remind:tue 10:00` · `/me remind:default`',
};

export class CommandError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/**
 * Reads a user mention in any platform's escaping: Slack `<@U123|maria>`, Discord `<@123>` or
 * `<@!123>`, or the terminal's `@maria`.
 */
export function parseUserRef(token: string): UserRef | null {
  const t = token.trim();
  const slack = /^<@([A-Z0-9]+)(?:\|([^>]*))?>$/i.exec(t);
  if (slack) return slack[2] ? { id: slack[1]!, name: slack[2] } : { id: slack[1]! };
  const discord = /^<@!?(\d+)>$/.exec(t);
  if (discord) return { id: discord[1]! };
  const plain = /^@([\w.-]+)$/.exec(t);
  if (plain) return { id: plain[1]!, name: plain[1]! };
  return null;
}

export interface ChannelRef {
  id: string;
  name?: string;
}

/** Reads a channel in any platform's escaping: Slack `<#C123|name>`, Discord `<#123>`, or the terminal's `#name`. */
export function parseChannelRef(token: string): ChannelRef | null {
  const t = token.trim();
  const slack = /^<#([A-Z0-9]+)(?:\|([^>]*))?>$/i.exec(t);
  if (slack) return slack[2] ? { id: slack[1]!, name: slack[2] } : { id: slack[1]! };
  const discord = /^<#(\d+)>$/.exec(t);
  if (discord) return { id: discord[1]! };
  const plain = /^#([\w.-]+)$/.exec(t);
  if (plain) return { id: plain[1]!.toLowerCase(), name: plain[1]!.toLowerCase() };
  return null;
}

/**
 * Splits `key:value` pairs and words, honouring "double" or 'single' quotes (also curly ones);
 * inside straight quotes a backslash escapes the quote (`name:"He said \\"hi\\""`).
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /(\S+?:)?(?:"((?:[^"\\”]|\\.)*)["”]|“([^”]*)”|'((?:[^'\\]|\\.)*)'|(\S+))/g;
  for (const m of text.matchAll(re)) {
    const key = m[1] ?? '';
    const quoted = m[2] ?? m[4];
    const value = quoted !== undefined ? quoted.replace(/\\(["'\\])/g, '$1') : (m[3] ?? m[5] ?? '');
    tokens.push(key + value);
  }
  return tokens;
}

const CREATE_KEYS = ['name', 'program', 'start', 'day', 'time', 'tz'] as const;
const EDIT_KEYS = ['day', 'time', 'tz', 'channel', 'cohort'] as const;

function keyValues<K extends string>(rest: string, keys: readonly K[], usage: string): Partial<Record<K, string>> {
  const values: Partial<Record<K, string>> = {};
  for (const token of tokenize(rest)) {
    const m = /^([a-z]+):(.*)$/is.exec(token);
    if (!m) throw new CommandError(`"${token}" is not a key:value pair.`, usage);
    const key = m[1]!.toLowerCase();
    if (!(keys as readonly string[]).includes(key)) {
      throw new CommandError(`Unknown option "${key}". The options are ${keys.join(', ')}.`, usage);
    }
    values[key as K] = m[2]!.trim();
  }
  return values;
}

function parseEdit(rest: string): Command {
  const usage = USAGE.cohort.split('\n').find((l) => l.includes('/cohort edit'))!;
  const { channel, ...values } = keyValues(rest, EDIT_KEYS, usage);
  if (Object.keys(values).length === 0 && channel === undefined) throw new CommandError('Say what to change: day, time, tz or channel.', usage);
  if (channel === undefined) return { name: 'cohort.edit', ...values };
  const ref = parseChannelRef(channel);
  if (!ref) throw new CommandError(`"${channel}" is not a channel; mention it, e.g. channel:#spring-cohort.`, usage);
  return { name: 'cohort.edit', ...values, channel: ref };
}

function parseCreate(rest: string): Command {
  const usage = USAGE.cohort.split('\n')[0]!;
  const values = keyValues(rest, CREATE_KEYS, usage);
  const missing = CREATE_KEYS.filter((k) => !values[k]);
  if (missing.length > 0) throw new CommandError(`Missing ${missing.map((k) => `${k}:`).join(', ')}.`, usage);
  return {
    name: 'cohort.create',
    cohortName: values.name!,
    program: values.program!,
    start: values.start!,
    day: values.day!,
    time: values.time!,
    tz: values.tz!,
  };
}

function needUser(sub: 'add' | 'mentor' | 'remove', rest: string): UserRef {
  const usage = `\`/cohort ${sub} @user\``;
  const words = tokenize(rest);
  if (words.length !== 1) throw new CommandError(words.length === 0 ? 'Name one person with @.' : 'Name exactly one person.', usage);
  const user = parseUserRef(words[0]!);
  if (!user) throw new CommandError(`"${words[0]}" is not a mention; type @ and pick the person.`, usage);
  return user;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `/me`, `/me tz:<zone>`, `/me remind:<day> <HH:MM>` (the time may follow as its own word), `remind:default`. */
function parseMe(body: string): Command {
  if (!body) return { name: 'me' };
  const tokens = tokenize(body);
  const out: Extract<Command, { name: 'me.set' }> = { name: 'me.set' };
  for (let i = 0; i < tokens.length; i++) {
    const m = /^([a-z]+):(.*)$/is.exec(tokens[i]!);
    if (!m) throw new CommandError(`"${tokens[i]}" is not an option of /me.`, USAGE.me);
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'tz') {
      if (!value) throw new CommandError('Give a zone after tz:, e.g. `tz:Asia/Tokyo`.', USAGE.me);
      out.tz = value.toLowerCase() === 'default' ? 'default' : value;
    } else if (key === 'remind') {
      if (value.toLowerCase() === 'default') {
        out.remind = 'default';
        continue;
      }
      const [day = '', inline = ''] = value.split(/\s+/);
      const next = tokens[i + 1];
      // `remind:tue 10:00` arrives as two words; a following `tz:` is another option.
      const time = inline || (next !== undefined && !/^[a-z]+:/i.test(next) ? tokens[++i]! : '');
      if (!day) throw new CommandError('Give a day and a time after remind:, e.g. `remind:tue 10:00`.', USAGE.me);
      if (!time) throw new CommandError(`Give the time too, e.g. \`remind:${day} 10:00\`.`, USAGE.me);
      out.remind = { day, time };
    } else {
      throw new CommandError(`Unknown option "${key}". The options are tz and remind.`, USAGE.me);
    }
  }
  return out;
}

function parseEvidence(body: string): Command {
  if (!body) return { name: 'evidence.list' };
  let url: string | undefined;
  let milestone: string | undefined;
  for (const token of tokenize(body)) {
    const m = /^milestone:(.*)$/i.exec(token);
    if (m) milestone = m[1]!.trim();
    else if (url === undefined) url = token;
    else throw new CommandError(`Give one link at a time ("${token}" is a second one).`, USAGE.evidence);
  }
  if (milestone !== undefined && !milestone) throw new CommandError('Name the milestone after milestone:, e.g. milestone:ci-cd.', USAGE.evidence);
  if (url === undefined) throw new CommandError('Give the link to your work.', USAGE.evidence);
  return milestone ? { name: 'evidence', url, milestone } : { name: 'evidence', url };
}

/** Parses the text after a slash command, as Slack and the terminal deliver it. */
export function parseCommand(command: string, text: string): Command {
  const name = command.replace(/^\//, '').toLowerCase();
  const body = text.trim();
  switch (name) {
    case 'checkin': {
      if (!body) return { name: 'checkin' };
      const [first, ...rest] = body.split(/\s+/);
      // `status:` as the other commands' options are written is the same word.
      const status = first!.toLowerCase().replace(/^status:/, '').replace(/^ontrack$/, 'on-track');
      if (!(CHECKIN_STATUSES as readonly string[]).includes(status)) {
        throw new CommandError(`"${first}" is not a status. Use on-track, behind, blocked or done.`, USAGE.checkin);
      }
      // Kept as a note, a rating would read as recorded and be lost: the form takes those.
      const option = rest.find((w) => /^(confidence|milestones?):/i.test(w));
      if (option) {
        throw new CommandError(`A quick check-in takes a status and a note; "${option}" goes in the form: type \`/checkin\` alone to open it.`, USAGE.checkin);
      }
      // blocker:"…" or note:"…", as the form's fields are named, is the note itself; quotes the
      // learner wrote around a plain note stay.
      const words = rest.join(' ').trim();
      const labelled = /^(?:note|blocker):\s*(.*)$/is.exec(words);
      const note = labelled ? labelled[1]!.replace(/^"(.*)"$|^“(.*)”$/s, '$1$2').trim() : words;
      return note ? { name: 'checkin', status: status as CheckinStatus, note } : { name: 'checkin', status: status as CheckinStatus };
    }
    case 'progress': {
      if (!body) return { name: 'progress' };
      const user = parseUserRef(body);
      if (!user) throw new CommandError(`"${body}" is not a mention; type @ and pick the person.`, USAGE.progress);
      return { name: 'progress', user };
    }
    case 'faq':
      if (!body) throw new CommandError('Ask a question after /faq.', USAGE.faq);
      return { name: 'faq', question: body };
    case 'away':
      if (!body) return { name: 'away.show' };
      if (body.toLowerCase() === 'back') return { name: 'away.back' };
      if (!DATE_RE.test(body)) throw new CommandError(body ? `"${body}" is not a date in YYYY-MM-DD form.` : 'Give the date you are back.', USAGE.away);
      return { name: 'away', until: body };
    case 'evidence':
      return parseEvidence(body);
    case 'stalled':
      if (body) throw new CommandError('`/stalled` takes no options.', USAGE.stalled);
      return { name: 'stalled' };
    case 'dashboard':
      if (body) throw new CommandError('`/dashboard` takes no options.', USAGE.dashboard);
      return { name: 'dashboard' };
    case 'mydata':
      if (!body) return { name: 'mydata' };
      if (body.toLowerCase() === 'delete') return { name: 'mydata.delete' };
      throw new CommandError(`"${body}" is not a /mydata option.`, USAGE.mydata);
    case 'me':
      return parseMe(body);
    case 'cohort': {
      const [sub = '', ...restWords] = body.split(/\s+/);
      const rest = body.slice(sub.length).trim();
      switch (sub.toLowerCase()) {
        case 'create':
          return parseCreate(rest);
        case 'join':
        case 'status':
        case 'schedule':
        case 'pause':
        case 'resume':
        case 'report':
          if (restWords.length > 0) throw new CommandError(`\`/cohort ${sub}\` takes no options.`, USAGE.cohort);
          return { name: `cohort.${sub.toLowerCase()}` as 'cohort.join' };
        case 'add':
        case 'mentor':
        case 'remove':
          return { name: `cohort.${sub.toLowerCase() as 'add'}`, user: needUser(sub.toLowerCase() as 'add', rest) };
        case 'skip':
          if (!DATE_RE.test(rest)) throw new CommandError(rest ? `"${rest}" is not a date in YYYY-MM-DD form.` : 'Give the date to skip.', '`/cohort skip YYYY-MM-DD`');
          return { name: 'cohort.skip', date: rest };
        case 'unskip':
          if (!DATE_RE.test(rest)) throw new CommandError(rest ? `"${rest}" is not a date in YYYY-MM-DD form.` : 'Give the skipped date to put back.', '`/cohort unskip YYYY-MM-DD`');
          return { name: 'cohort.unskip', date: rest };
        case 'edit':
          return parseEdit(rest);
        case '':
          throw new CommandError('Say what to do with the cohort.', USAGE.cohort);
        default:
          throw new CommandError(`"${sub}" is not a /cohort subcommand.`, USAGE.cohort);
      }
    }
    default:
      throw new CommandError(`/${name} is not a mentorbot command.`, Object.values(USAGE).join('\n'));
  }
}
