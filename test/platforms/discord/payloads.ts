import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  MessageType,
  PermissionFlagsBits,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  type APIModalSubmitGuildInteraction,
  type APIUser,
  type GatewayMessageCreateDispatchData,
  type GuildMemberFlags,
  type ModalSubmitLabelComponent,
} from 'discord-api-types/v10';
import { BOT_USER } from '../../helpers/fake-discord.js';

/**
 * Interaction and message payloads in the shapes Discord sends over the gateway, typed with
 * discord-api-types so a wrong or missing field fails to compile.
 */

export const APP_ID = BOT_USER.id;
export const GUILD_ID = '3300000000000000001';
export const CHANNEL_ID = '3300000000000000010';
export const OTHER_CHANNEL_ID = '3300000000000000011';

export interface TestUser {
  user: APIUser;
  /** Discord's computed permission bitfield for the member in the channel. */
  permissions: bigint;
  nick?: string | null;
}

const memberPermissions =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.UseApplicationCommands;

export function person(id: string, username: string, globalName: string | null, permissions = memberPermissions, nick: string | null = null): TestUser {
  return { user: { id, username, discriminator: '0', global_name: globalName, avatar: null }, permissions, nick };
}

export const MARIA = person('2200000000000000001', 'maria.dev', 'Maria');
export const SAM = person('2200000000000000002', 'sam_ml', 'Sam', memberPermissions, 'Sam (mentor)');
export const OLGA = person('2200000000000000003', 'olga', 'Olga', memberPermissions | PermissionFlagsBits.ManageGuild);
export const TOM = person('2200000000000000004', 'tom', null);

let seq = 5_000_000_000_000_000_000n;
export const nextId = () => (++seq).toString();

function member(u: TestUser): APIInteractionGuildMember {
  return {
    user: u.user,
    nick: u.nick ?? null,
    avatar: null,
    roles: [],
    joined_at: '2026-01-05T10:00:00.000000+00:00',
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    permissions: u.permissions.toString(),
  };
}

function base<T extends InteractionType>(type: T, by: TestUser, channelId: string) {
  return {
    id: nextId(),
    application_id: APP_ID,
    type,
    token: `tok-${nextId()}`,
    version: 1 as const,
    guild_id: GUILD_ID,
    guild: { id: GUILD_ID, locale: Locale.EnglishUS, features: [] },
    channel_id: channelId,
    channel: { id: channelId, type: ChannelType.GuildText as const, name: 'spring-cohort', guild_id: GUILD_ID },
    member: member(by),
    app_permissions: (memberPermissions | PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads).toString(),
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD_ID },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  };
}

/** A channel picked in a channel option, e.g. `channel:#summer-cohort`. */
export interface TestChannel {
  channel: { id: string; name: string };
}

export type OptionValue = string | TestUser | TestChannel;

const isChannel = (v: OptionValue): v is TestChannel => typeof v !== 'string' && 'channel' in v;
const isUser = (v: OptionValue): v is TestUser => typeof v !== 'string' && 'user' in v;

function withoutUser<T extends { user?: unknown }>(m: T): Omit<T, 'user'> {
  const { user: _user, ...rest } = m;
  return rest;
}

function basicOptions(options: Record<string, OptionValue>, focused?: string): APIApplicationCommandInteractionDataBasicOption[] {
  return Object.entries(options).map(([name, value]) =>
    typeof value === 'string'
      ? { type: ApplicationCommandOptionType.String, name, value, ...(name === focused ? { focused: true } : {}) }
      : isChannel(value)
        ? { type: ApplicationCommandOptionType.Channel, name, value: value.channel.id }
        : { type: ApplicationCommandOptionType.User, name, value: value.user.id },
  ) as APIApplicationCommandInteractionDataBasicOption[];
}

function resolvedUsers(options: Record<string, OptionValue>) {
  const users = Object.values(options).filter(isUser);
  const channels = Object.values(options).filter(isChannel);
  if (users.length === 0 && channels.length === 0) return {};
  return {
    resolved: {
      ...(users.length > 0
        ? {
            users: Object.fromEntries(users.map((u) => [u.user.id, u.user])),
            // Resolved members come without their user, which sits in `users`.
            members: Object.fromEntries(users.map((u) => [u.user.id, withoutUser(member(u))])),
          }
        : {}),
      ...(channels.length > 0
        ? {
            channels: Object.fromEntries(
              channels.map((c) => [c.channel.id, { id: c.channel.id, name: c.channel.name, type: ChannelType.GuildText, permissions: memberPermissions.toString() }]),
            ),
          }
        : {}),
    },
  };
}

/** A slash command as typed: `/cohort-admin create name:…` is `chatInput('cohort-admin', { sub: 'create', options: {…} })`. */
export function chatInput(
  name: string,
  opts: { by?: TestUser; sub?: string; options?: Record<string, OptionValue>; channelId?: string } = {},
): APIChatInputApplicationCommandGuildInteraction {
  const options = opts.options ?? {};
  const basic = basicOptions(options);
  const top: APIApplicationCommandInteractionDataOption[] = opts.sub ? [{ type: ApplicationCommandOptionType.Subcommand, name: opts.sub, options: basic }] : basic;
  return {
    ...base(InteractionType.ApplicationCommand, opts.by ?? MARIA, opts.channelId ?? CHANNEL_ID),
    data: { id: nextId(), name, type: ApplicationCommandType.ChatInput, guild_id: GUILD_ID, ...(top.length > 0 ? { options: top } : {}), ...resolvedUsers(options) },
  } as APIChatInputApplicationCommandGuildInteraction;
}

/** Typing into an autocomplete option; `focused` names the option being typed. */
export function autocomplete(
  name: string,
  opts: { by?: TestUser; sub?: string; options: Record<string, string>; focused: string },
): APIApplicationCommandAutocompleteGuildInteraction {
  const basic = basicOptions(opts.options, opts.focused);
  const top: APIApplicationCommandInteractionDataOption[] = opts.sub ? [{ type: ApplicationCommandOptionType.Subcommand, name: opts.sub, options: basic }] : basic;
  return {
    ...base(InteractionType.ApplicationCommandAutocomplete, opts.by ?? OLGA, CHANNEL_ID),
    data: { id: nextId(), name, type: ApplicationCommandType.ChatInput, guild_id: GUILD_ID, options: top },
  } as APIApplicationCommandAutocompleteGuildInteraction;
}

/** A message the bot posted, as Discord returns it; `components` are what we rendered. */
export function botMessage(partial: Partial<APIMessage> & { id: string; channel_id: string }): APIMessage {
  return {
    type: 0,
    content: '',
    author: BOT_USER,
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: '2026-03-02T09:00:00.000000+00:00',
    edited_timestamp: null,
    flags: 0,
    ...partial,
  } as APIMessage;
}

/** A click on a button of `message`. */
export function buttonClick(customId: string, message: APIMessage, opts: { by?: TestUser } = {}): APIMessageComponentButtonInteraction {
  return {
    ...base(InteractionType.MessageComponent, opts.by ?? MARIA, message.channel_id),
    message,
    data: { custom_id: customId, component_type: ComponentType.Button },
  } as APIMessageComponentButtonInteraction;
}

/** What the user picked or typed per field: a list for selects, a string for text inputs. */
export type ModalAnswers = Record<string, string | string[]>;

/** Submitting a modal with labelled components, as Discord sends it back. */
export function modalSubmit(customId: string, answers: ModalAnswers, opts: { by?: TestUser; message?: APIMessage } = {}): APIModalSubmitGuildInteraction {
  let componentId = 0;
  const components: ModalSubmitLabelComponent[] = Object.entries(answers).map(([id, answer]) => ({
    type: ComponentType.Label,
    id: ++componentId,
    component: Array.isArray(answer)
      ? { type: ComponentType.StringSelect, id: ++componentId, custom_id: id, values: answer }
      : { type: ComponentType.TextInput, id: ++componentId, custom_id: id, value: answer },
  }));
  return {
    ...base(InteractionType.ModalSubmit, opts.by ?? MARIA, opts.message?.channel_id ?? CHANNEL_ID),
    ...(opts.message ? { message: opts.message } : {}),
    data: { custom_id: customId, components },
  } as APIModalSubmitGuildInteraction;
}

/** A message in the cohort channel, as the gateway's MESSAGE_CREATE delivers it. */
export function userMessage(content: string, opts: { by?: TestUser; mentionsBot?: boolean; channelId?: string } = {}): GatewayMessageCreateDispatchData {
  const by = opts.by ?? MARIA;
  const { permissions: _p, ...guildMember } = withoutUser(member(by));
  const message: GatewayMessageCreateDispatchData = {
    id: nextId(),
    type: MessageType.Default,
    channel_id: opts.channelId ?? CHANNEL_ID,
    guild_id: GUILD_ID,
    author: by.user,
    member: guildMember,
    content,
    embeds: [],
    components: [],
    attachments: [],
    mentions: opts.mentionsBot === false ? [] : [{ ...BOT_USER }],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: '2026-03-02T10:00:00.000000+00:00',
    edited_timestamp: null,
  };
  return message;
}

/** The guild as GUILD_CREATE describes it, with the cohort channel, so discord.js can cache it. */
export function guildCreate() {
  return {
    id: GUILD_ID,
    name: 'ML Engineering Cohorts',
    owner_id: OLGA.user.id,
    icon: null,
    features: [],
    emojis: [],
    stickers: [],
    members: [],
    member_count: 4,
    roles: [
      {
        id: GUILD_ID,
        name: '@everyone',
        permissions: memberPermissions.toString(),
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: [
      { id: CHANNEL_ID, type: ChannelType.GuildText, name: 'spring-cohort', guild_id: GUILD_ID, position: 0, permission_overwrites: [] },
      { id: OTHER_CHANNEL_ID, type: ChannelType.GuildText, name: 'general', guild_id: GUILD_ID, position: 1, permission_overwrites: [] },
    ],
    threads: [],
  };
}
