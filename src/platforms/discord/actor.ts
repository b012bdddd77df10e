import { PermissionFlagsBits, type GuildMember, type PermissionsBitField, type User } from 'discord.js';
import type { AdminId } from '../../config.js';
import type { Actor } from '../../core/chat.js';
import type { UserRef } from '../../core/commands.js';

/** A guild member as discord.js hands it over: a cached `GuildMember`, or the raw API object when the guild is not cached. */
type AnyMember = GuildMember | { nick?: string | null } | null | undefined;

export function displayName(user: User, member?: AnyMember): string {
  const nick = !member ? null : 'nickname' in member ? member.nickname : 'nick' in member ? member.nick : null;
  return nick || user.globalName || user.username;
}

export function userRef(user: User, member?: AnyMember): UserRef {
  return { id: user.id, name: displayName(user, member) };
}

/** Admin: listed in ADMIN_USER_IDS as `discord:<id>`, or holds Manage Server (Administrator implies it). */
export function toActor(
  user: User,
  member: AnyMember,
  permissions: Readonly<PermissionsBitField> | null | undefined,
  guildId: string | null,
  adminIds: readonly AdminId[],
): Actor {
  const listed = adminIds.some((a) => a.platform === 'discord' && a.userId === user.id);
  return {
    platform: 'discord',
    userId: user.id,
    displayName: displayName(user, member),
    isAdmin: listed || Boolean(permissions?.has(PermissionFlagsBits.ManageGuild)),
    workspaceId: guildId,
  };
}
