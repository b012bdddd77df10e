import { Events, GatewayCloseCodes, PermissionFlagsBits, type Client, type Guild, type GuildBasedChannel, type GuildMember, type PartialGuildMember } from 'discord.js';
import type { PlatformEvent } from '../../core/platform-events.js';
import { UNAUTHORIZED } from './port.js';

/**
 * Gateway events about the server changing under the bot, translated to the core's neutral
 * `PlatformEvent`s; the core decides what follows (and ignores channels it runs no cohort in).
 */

const VIEW = PermissionFlagsBits.ViewChannel;
const POST = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;

/** Channels a cohort can run in: text channels of the guild, not threads or categories. */
function cohortChannels(guild: Guild): GuildBasedChannel[] {
  return [...guild.channels.cache.values()].filter((c) => c.isTextBased() && !c.isThread() && !c.isVoiceBased());
}

function sees(channel: GuildBasedChannel, member: GuildMember): boolean {
  return channel.permissionsFor(member)?.has(VIEW) ?? false;
}

/** Who lost or gained sight of one channel between two states, as events. */
function viewChanges(channelId: string, userId: string, before: boolean, after: boolean): PlatformEvent[] {
  if (before && !after) return [{ kind: 'member-left', platform: 'discord', userId, channelId, reason: 'lost-access' }];
  if (!before && after) return [{ kind: 'member-joined', platform: 'discord', userId, channelId }];
  return [];
}

export function watchPlatformChanges(client: Client, emit: (e: PlatformEvent) => void): void {
  const isBot = (member: GuildMember | PartialGuildMember) => member.id === client.user?.id || member.user?.bot === true;

  client.on(Events.GuildMemberRemove, (member) => {
    if (isBot(member)) return;
    emit({ kind: 'member-left', platform: 'discord', userId: member.id, reason: 'left-server' });
  });

  client.on(Events.GuildMemberAdd, (member) => {
    if (isBot(member)) return;
    emit({ kind: 'member-joined', platform: 'discord', userId: member.id, displayName: member.displayName });
  });

  // A role given or taken can hide a channel or show it. Only a member known before the change can be compared.
  client.on(Events.GuildMemberUpdate, (before, after) => {
    if (before.partial || isBot(after)) return;
    const had = [...before.roles.cache.keys()].sort().join();
    const has = [...after.roles.cache.keys()].sort().join();
    if (had === has) return;
    for (const channel of cohortChannels(after.guild)) {
      for (const e of viewChanges(channel.id, after.id, sees(channel, before), sees(channel, after))) emit(e);
    }
  });

  client.on(Events.ChannelUpdate, (before, after) => {
    if (before.isDMBased() || after.isDMBased() || after.isThread()) return;
    const me = after.guild.members.me;
    if (me) {
      const could = before.permissionsFor(me)?.has(POST) ?? false;
      const can = after.permissionsFor(me)?.has(POST) ?? false;
      if (could && !can) emit({ kind: 'channel-unreachable', platform: 'discord', channelId: after.id, trouble: 'no-permission' });
      if (!could && can) emit({ kind: 'channel-reachable', platform: 'discord', channelId: after.id });
    }
    // Overwrites changed: compare every member the client knows of.
    for (const member of after.guild.members.cache.values()) {
      if (isBot(member)) continue;
      for (const e of viewChanges(after.id, member.id, sees(before, member), sees(after, member))) emit(e);
    }
  });

  client.on(Events.ChannelDelete, (channel) => {
    if (channel.isDMBased()) return;
    emit({ kind: 'channel-unreachable', platform: 'discord', channelId: channel.id, trouble: 'deleted' });
  });

  // The bot removed from a server (an outage comes as "unavailable" and is not this). By the time
  // discord.js emits guildDelete it has dropped the guild's channels, so the raw dispatch is read
  // before it is handled, while the channels are still known.
  client.on(Events.Raw as string, (packet: { t?: string; d?: { id?: string; unavailable?: boolean } }) => {
    if (packet.t !== 'GUILD_DELETE' || !packet.d?.id || packet.d.unavailable) return;
    const guild = client.guilds.cache.get(packet.d.id);
    if (!guild) return;
    for (const channel of cohortChannels(guild)) emit({ kind: 'channel-unreachable', platform: 'discord', channelId: channel.id, trouble: 'bot-removed' });
  });

  // Invited back: its channels can be posted to again.
  client.on(Events.GuildCreate, (guild) => {
    for (const channel of cohortChannels(guild)) emit({ kind: 'channel-reachable', platform: 'discord', channelId: channel.id });
  });

  // The gateway refused the token (close code 4004): discord.js does not reconnect, and nothing else will work either.
  client.on(Events.ShardDisconnect, (event) => {
    if (event.code === GatewayCloseCodes.AuthenticationFailed) emit({ kind: 'access-lost', platform: 'discord', cause: UNAUTHORIZED });
  });
  // discord.js 14.28 no longer emits this (an invalid session is resumed or identified again); kept for versions that do.
  client.on(Events.Invalidated, () => emit({ kind: 'access-lost', platform: 'discord', cause: 'invalidated' }));
}
