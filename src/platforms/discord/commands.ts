import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  type APIApplicationCommandOptionChoice,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import { CHECKIN_STATUSES } from '../../core/chat.js';
import { CommandError, parseCommand, WEEKDAYS, type ChannelRef, type Command, type UserRef } from '../../core/commands.js';
import type { CheckinStatus } from '../../db/types.js';

/**
 * The slash commands as Discord sees them. Discord sets permissions per command, not per
 * subcommand, so the organizer's `/cohort` subcommands live in `/cohort-admin`, which only
 * members with Manage Server see (server admins can grant it to others under Server Settings →
 * Integrations). Learners and mentors keep `/cohort join` and `/cohort status`.
 */

interface OptionSpec {
  name: string;
  description: string;
  kind: 'string' | 'user' | 'channel';
  required?: boolean;
  /** Shown in usage lines: `name:<hint>`. */
  hint: string;
  choices?: Array<{ name: string; value: string }>;
  autocomplete?: boolean;
  minLength?: number;
  maxLength?: number;
}

interface SubSpec {
  name: string;
  description: string;
  options?: OptionSpec[];
}

interface CommandSpec {
  name: string;
  description: string;
  adminOnly?: boolean;
  guildOnly?: boolean;
  options?: OptionSpec[];
  subcommands?: SubSpec[];
}

const DATE_HINT = 'YYYY-MM-DD';

const userOption = (description: string): OptionSpec => ({ name: 'user', description, kind: 'user', required: true, hint: '@user' });

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: 'checkin',
    description: "Check in on this week's milestone: opens the form, or give a status to check in at once",
    options: [
      {
        name: 'status',
        description: 'Check in at once with this status, without the form',
        kind: 'string',
        hint: 'on-track|behind|blocked|done',
        choices: [
          { name: 'On track', value: 'on-track' },
          { name: 'Behind', value: 'behind' },
          { name: 'Blocked', value: 'blocked' },
          { name: 'Done', value: 'done' },
        ],
      },
      { name: 'note', description: 'A short note for your mentor', kind: 'string', hint: 'text', maxLength: 1000 },
    ],
  },
  {
    name: 'progress',
    description: 'Milestones done, where you stand against the schedule, recent check-ins and open flags',
    options: [
      {
        name: 'user',
        description: 'A learner in your cohorts (mentors); leave empty for yourself',
        kind: 'user',
        hint: '@user',
      },
    ],
  },
  {
    name: 'faq',
    description: 'Ask a question; get the best curated answer with its sources',
    options: [{ name: 'question', description: 'Your question', kind: 'string', required: true, hint: 'question', maxLength: 500 }],
  },
  {
    name: 'away',
    description: 'No reminders or stall flags until the date you are back; empty shows your break',
    options: [
      {
        name: 'date',
        description: 'The date you are back, YYYY-MM-DD (replaces a break already set), or "back" to end it now',
        kind: 'string',
        hint: `${DATE_HINT}|back`,
        minLength: 4,
        maxLength: 10,
      },
    ],
  },
  {
    name: 'evidence',
    description: 'Link your work to a milestone so it is checked; empty lists your links',
    options: [
      { name: 'url', description: 'A GitHub repository, pull request or commit, or an https URL of something deployed', kind: 'string', hint: 'url', maxLength: 500 },
      { name: 'milestone', description: 'The milestone id (default: the current one)', kind: 'string', hint: 'milestone-id', maxLength: 100 },
    ],
  },
  {
    name: 'mydata',
    description: 'What the bot keeps about you, with Download; action:delete erases it after you confirm',
    options: [
      {
        name: 'action',
        description: 'Leave empty to see your data; "Delete my data" erases it after you confirm',
        kind: 'string',
        hint: 'delete',
        choices: [{ name: 'Delete my data', value: 'delete' }],
      },
    ],
  },
  { name: 'dashboard', description: 'A private one-time link that signs you in to the web dashboard' },
  {
    name: 'me',
    description: 'Your time zone and reminder slot: empty shows them',
    options: [
      { name: 'tz', description: 'Your time zone, Area/City (e.g. America/Los_Angeles); "default" for the cohort\'s', kind: 'string', hint: 'Area/City', maxLength: 64 },
      { name: 'remind', description: 'Your reminder slot, a day and a time (e.g. tue 10:00); "default" for the usual', kind: 'string', hint: '<day> <HH:MM>', maxLength: 32 },
    ],
  },
  {
    name: 'cohort',
    description: 'Join the cohort of this channel, or see who checked in this week',
    guildOnly: true,
    subcommands: [
      { name: 'join', description: 'Join the cohort of this channel' },
      { name: 'status', description: 'This week: who checked in, who has not, open stall flags (mentors)' },
      { name: 'schedule', description: 'Next round, end date, skipped and paused weeks, weeks not run' },
      { name: 'report', description: 'The cohort heatmap and figures, sent to you privately (mentors)' },
    ],
  },
  {
    name: 'cohort-admin',
    description: 'Organizers: create a cohort in this channel and manage its members, mentors and schedule',
    adminOnly: true,
    guildOnly: true,
    subcommands: [
      {
        name: 'create',
        description: 'Bind this channel to a new cohort',
        options: [
          { name: 'name', description: 'Cohort name, e.g. Spring 2026', kind: 'string', required: true, hint: 'text', maxLength: 80 },
          { name: 'program', description: 'The program the cohort follows', kind: 'string', required: true, hint: 'id', autocomplete: true, maxLength: 100 },
          { name: 'start', description: 'First day of the program, YYYY-MM-DD', kind: 'string', required: true, hint: DATE_HINT, minLength: 10, maxLength: 10 },
          {
            name: 'day',
            description: 'Weekday of the check-in',
            kind: 'string',
            required: true,
            hint: 'mon..sun',
            choices: WEEKDAYS.map((value, i) => ({ name: DAY_NAMES[i]!, value })),
          },
          { name: 'time', description: 'Check-in time, HH:MM on a 24-hour clock', kind: 'string', required: true, hint: 'HH:MM', minLength: 4, maxLength: 5 },
          { name: 'tz', description: 'Time zone of the check-in, e.g. Europe/Berlin', kind: 'string', required: true, hint: 'Area/City', autocomplete: true, maxLength: 64 },
        ],
      },
      { name: 'add', description: 'Add a learner to this cohort', options: [userOption('The learner to add')] },
      { name: 'mentor', description: 'Make someone a mentor of this cohort', options: [userOption('The mentor')] },
      { name: 'remove', description: 'Remove a learner or mentor from this cohort', options: [userOption('The person to remove')] },
      { name: 'pause', description: 'Pause the weekly check-ins' },
      { name: 'resume', description: 'Resume the weekly check-ins' },
      {
        name: 'skip',
        description: 'Skip the check-in of a holiday week',
        options: [{ name: 'date', description: 'The check-in day to skip, YYYY-MM-DD', kind: 'string', required: true, hint: DATE_HINT, minLength: 10, maxLength: 10 }],
      },
      {
        name: 'unskip',
        description: 'Undo a skip: the date is a check-in day again',
        options: [{ name: 'date', description: 'The skipped day, YYYY-MM-DD', kind: 'string', required: true, hint: DATE_HINT, minLength: 10, maxLength: 10 }],
      },
      {
        name: 'edit',
        description: 'Move every check-in not yet posted to a new day, time or zone, or the cohort to another channel',
        options: [
          { name: 'day', description: 'New weekday of the check-in', kind: 'string', hint: 'mon..sun', choices: WEEKDAYS.map((value, i) => ({ name: DAY_NAMES[i]!, value })) },
          { name: 'time', description: 'New check-in time, HH:MM on a 24-hour clock', kind: 'string', hint: 'HH:MM', minLength: 4, maxLength: 5 },
          { name: 'tz', description: 'New time zone, e.g. Europe/Berlin', kind: 'string', hint: 'Area/City', autocomplete: true, maxLength: 64 },
          { name: 'channel', description: 'Move the cohort to this channel from its next round on', kind: 'channel', hint: '#channel' },
          { name: 'cohort', description: 'The cohort to change, by name, when typed outside its channel', kind: 'string', hint: 'name', maxLength: 80 },
        ],
      },
    ],
  },
  { name: 'stalled', description: 'Open stall flags in your cohorts, with reasons and Acknowledge / Resolve' },
];

function optionJson(o: OptionSpec): APIApplicationCommandBasicOption {
  if (o.kind === 'user') {
    return { type: ApplicationCommandOptionType.User, name: o.name, description: o.description, required: o.required ?? false };
  }
  if (o.kind === 'channel') {
    return {
      type: ApplicationCommandOptionType.Channel,
      name: o.name,
      description: o.description,
      required: o.required ?? false,
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
    };
  }
  return {
    type: ApplicationCommandOptionType.String,
    name: o.name,
    description: o.description,
    required: o.required ?? false,
    ...(o.choices ? { choices: o.choices } : {}),
    ...(o.autocomplete ? { autocomplete: true } : {}),
    ...(o.minLength !== undefined ? { min_length: o.minLength } : {}),
    ...(o.maxLength !== undefined ? { max_length: o.maxLength } : {}),
  } as APIApplicationCommandBasicOption;
}

/**
 * The bodies for a bulk overwrite (`PUT applications/{id}[/guilds/{guild}]/commands`). Guild
 * commands exist only in their guild, so they carry no contexts or integration types.
 */
export function commandDefinitions(scope: 'guild' | 'global'): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return COMMAND_SPECS.map((c) => {
    const options: APIApplicationCommandOption[] = c.subcommands
      ? c.subcommands.map((s) => ({
          type: ApplicationCommandOptionType.Subcommand,
          name: s.name,
          description: s.description,
          options: (s.options ?? []).map(optionJson),
        }))
      : (c.options ?? []).map(optionJson);
    return {
      type: ApplicationCommandType.ChatInput,
      name: c.name,
      description: c.description,
      options,
      default_member_permissions: c.adminOnly ? PermissionFlagsBits.ManageGuild.toString() : null,
      ...(scope === 'global'
        ? {
            integration_types: [ApplicationIntegrationType.GuildInstall],
            contexts: c.guildOnly ? [InteractionContextType.Guild] : [InteractionContextType.Guild, InteractionContextType.BotDM],
          }
        : {}),
    };
  });
}

/** A usage line in Discord's own notation: `/cohort-admin skip date:YYYY-MM-DD`. */
export function usage(command: string, sub?: string): string {
  const spec = COMMAND_SPECS.find((c) => c.name === command);
  if (!spec) return COMMAND_SPECS.map((c) => usage(c.name)).join('\n');
  const line = (prefix: string, options: OptionSpec[] = []) =>
    `\`${[prefix, ...options.map((o) => (o.required ? `${o.name}:${o.hint}` : `[${o.name}:${o.hint}]`))].join(' ')}\``;
  if (!spec.subcommands) return line(`/${spec.name}`, spec.options);
  const subs = sub ? spec.subcommands.filter((s) => s.name === sub) : spec.subcommands;
  return (subs.length > 0 ? subs : spec.subcommands).map((s) => line(`/${spec.name} ${s.name}`, s.options)).join('\n');
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

function needDate(value: string, what: string, usageText: string): string {
  if (!value) throw new CommandError(`Give ${what}.`, usageText);
  if (!DATE.safeParse(value).success) throw new CommandError(`"${value}" is not a date in YYYY-MM-DD form.`, usageText);
  return value;
}

/** The values a chat-input interaction carries, as discord.js resolves them. */
export interface CommandInput {
  commandName: string;
  subcommand: string | null;
  getString(name: string): string | null;
  getUser(name: string): UserRef | null;
  /** A channel option, as its id (and name when Discord resolved it). */
  getChannel?(name: string): ChannelRef | null;
}

/**
 * Builds the core's `Command` from a slash command's options. Discord already enforces required
 * options, choices and lengths; what it cannot check (date shapes, empty text) is checked here,
 * with the same messages as the text parser.
 */
export function toCommand(input: CommandInput): Command {
  const { commandName: name, subcommand: sub } = input;
  const text = (option: string) => input.getString(option)?.trim() ?? '';
  const needUser = (): UserRef => {
    const user = input.getUser('user');
    if (!user) throw new CommandError('Name one person with the user option.', usage(name, sub ?? undefined));
    return user;
  };
  switch (name) {
    case 'checkin': {
      const status = text('status');
      const note = text('note');
      if (!status) {
        if (note) throw new CommandError('A note goes with a status: pick on-track, behind, blocked or done.', usage('checkin'));
        return { name: 'checkin' };
      }
      if (!(CHECKIN_STATUSES as readonly string[]).includes(status)) {
        throw new CommandError(`"${status}" is not a status. Use on-track, behind, blocked or done.`, usage('checkin'));
      }
      return note ? { name: 'checkin', status: status as CheckinStatus, note } : { name: 'checkin', status: status as CheckinStatus };
    }
    case 'progress': {
      const user = input.getUser('user');
      return user ? { name: 'progress', user } : { name: 'progress' };
    }
    case 'faq': {
      const question = text('question');
      if (!question) throw new CommandError('Ask a question after /faq.', usage('faq'));
      return { name: 'faq', question };
    }
    case 'away': {
      const date = text('date');
      if (!date) return { name: 'away.show' };
      if (date.toLowerCase() === 'back') return { name: 'away.back' };
      return { name: 'away', until: needDate(date, 'the date you are back', usage('away')) };
    }
    case 'evidence': {
      const url = text('url');
      const milestone = text('milestone');
      if (!url) {
        if (milestone) throw new CommandError('Give the link to your work with the milestone.', usage('evidence'));
        return { name: 'evidence.list' };
      }
      return milestone ? { name: 'evidence', url, milestone } : { name: 'evidence', url };
    }
    case 'stalled':
      return { name: 'stalled' };
    case 'dashboard':
      return { name: 'dashboard' };
    case 'me': {
      const tz = text('tz');
      const remind = text('remind');
      if (!tz && !remind) return { name: 'me' };
      // The same words the other platforms take after /me, so they get the same checks and replies.
      return parseCommand('me', [tz && `tz:${tz}`, remind && `remind:"${remind.replace(/"/g, '')}"`].filter(Boolean).join(' '));
    }
    case 'mydata': {
      const action = text('action').toLowerCase();
      if (!action) return { name: 'mydata' };
      if (action === 'delete') return { name: 'mydata.delete' };
      throw new CommandError(`"${action}" is not a /mydata action.`, usage('mydata'));
    }
    case 'cohort':
      if (sub === 'join' || sub === 'status' || sub === 'schedule' || sub === 'report') return { name: `cohort.${sub}` };
      break;
    case 'cohort-admin':
      switch (sub) {
        case 'create': {
          const u = usage('cohort-admin', 'create');
          const day = text('day').toLowerCase();
          if (!(WEEKDAYS as readonly string[]).includes(day)) throw new CommandError(`"${day}" is not a weekday; pick one of ${WEEKDAYS.join(', ')}.`, u);
          const cohortName = text('name');
          if (!cohortName) throw new CommandError('Give the cohort a name.', u);
          return {
            name: 'cohort.create',
            cohortName,
            program: text('program'),
            start: needDate(text('start'), 'the start date', u),
            day,
            time: text('time'),
            tz: text('tz'),
          };
        }
        case 'add':
        case 'mentor':
        case 'remove':
          return { name: `cohort.${sub}`, user: needUser() };
        case 'pause':
        case 'resume':
          return { name: `cohort.${sub}` };
        case 'skip':
          return { name: 'cohort.skip', date: needDate(text('date'), 'the date to skip', usage('cohort-admin', 'skip')) };
        case 'unskip':
          return { name: 'cohort.unskip', date: needDate(text('date'), 'the skipped date', usage('cohort-admin', 'unskip')) };
        case 'edit': {
          const edit: { day?: string; time?: string; tz?: string; cohort?: string } = {};
          for (const key of ['day', 'time', 'tz'] as const) if (text(key)) edit[key] = text(key);
          // The core's hint reads `cohort:"Spring 2026"`; typed with its quotes into the option, they are not part of the name.
          const cohort = text('cohort').replace(/^["“](.*)["”]$/, '$1').trim();
          if (cohort) edit.cohort = cohort;
          const channel = input.getChannel?.('channel') ?? null;
          if (!channel && !edit.day && !edit.time && !edit.tz) throw new CommandError('Say what to change: day, time, tz or channel.', usage('cohort-admin', 'edit'));
          return channel ? { name: 'cohort.edit', ...edit, channel } : { name: 'cohort.edit', ...edit };
        }
      }
      break;
  }
  throw new CommandError(`/${[name, sub].filter(Boolean).join(' ')} is not a mentorbot command.`, usage(''));
}

export type Choice = APIApplicationCommandOptionChoice<string>;

const MAX_CHOICES = 25;

/** Autocomplete for `program`: the programs in the content directory, by id or title. */
export function programChoices(programs: Iterable<{ id: string; title: string }>, typed: string): Choice[] {
  const q = typed.trim().toLowerCase();
  return [...programs]
    .filter((p) => !q || p.id.toLowerCase().includes(q) || p.title.toLowerCase().includes(q))
    .slice(0, MAX_CHOICES)
    .map((p) => ({ name: `${p.title} (${p.id})`.slice(0, 100), value: p.id }));
}

let zones: string[] | null = null;
const allZones = () => (zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** Shown before anything is typed: one zone per populous region, rather than the first 25 of Africa. */
const COMMON_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'Europe/Warsaw',
  'Europe/Istanbul',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Bogota',
];

/**
 * Autocomplete for `tz`: IANA zones containing what was typed (spaces read as underscores, so
 * "new york" finds America/New_York); zones whose city starts with it come first.
 */
export function timeZoneChoices(typed: string): Choice[] {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '_');
  if (!q) return COMMON_ZONES.filter((z) => allZones().includes(z)).map((z) => ({ name: z.replace(/_/g, ' '), value: z }));
  const rank = (zone: string) => {
    const z = zone.toLowerCase();
    const city = z.slice(z.lastIndexOf('/') + 1);
    if (z === q || city === q) return 0;
    if (city.startsWith(q)) return 1;
    if (z.startsWith(q)) return 2;
    return 3;
  };
  return allZones()
    .filter((z) => z.toLowerCase().includes(q))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, MAX_CHOICES)
    .map((z) => ({ name: z.replace(/_/g, ' '), value: z }));
}

/**
 * Reduces a command to the fields we set, with Discord's defaults filled in, so the commands a
 * GET returns (ids, versions, localizations, omitted `required: false`) compare equal to ours.
 */
function normalize(cmd: Record<string, any>, scope: 'guild' | 'global'): unknown {
  const option = (o: Record<string, any>): unknown => ({
    type: o.type,
    name: o.name,
    description: o.description,
    required: o.required ?? false,
    autocomplete: o.autocomplete ?? false,
    choices: (o.choices ?? []).map((c: Record<string, any>) => ({ name: c.name, value: c.value })),
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
    channel_types: [...(o.channel_types ?? [])].sort(),
    options: (o.options ?? []).map(option),
  });
  return {
    type: cmd.type ?? ApplicationCommandType.ChatInput,
    name: cmd.name,
    description: cmd.description,
    default_member_permissions: cmd.default_member_permissions ?? null,
    nsfw: cmd.nsfw ?? false,
    ...(scope === 'global'
      ? { contexts: [...(cmd.contexts ?? [])].sort(), integration_types: [...(cmd.integration_types ?? [ApplicationIntegrationType.GuildInstall])].sort() }
      : {}),
    options: (cmd.options ?? []).map(option),
  };
}

/** True when the registered commands already match the definitions (order of commands aside). */
export function sameCommands(current: ReadonlyArray<Record<string, any>>, wanted: ReadonlyArray<Record<string, any>>, scope: 'guild' | 'global'): boolean {
  const key = (list: ReadonlyArray<Record<string, any>>) =>
    JSON.stringify([...list].sort((a, b) => String(a.name).localeCompare(String(b.name))).map((c) => normalize(c, scope)));
  return key(current) === key(wanted);
}
