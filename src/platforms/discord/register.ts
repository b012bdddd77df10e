import { PermissionFlagsBits, Routes, type REST } from 'discord.js';
import { commandDefinitions, sameCommands } from './commands.js';

export interface RegisterTarget {
  applicationId: string;
  guildId: string | null;
}

function route(target: RegisterTarget): `/${string}` {
  return target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
}

/** Replaces the application's commands (in one guild when `guildId` is set, else globally) with ours. */
export async function registerCommands(rest: REST, target: RegisterTarget): Promise<number> {
  const body = commandDefinitions(target.guildId ? 'guild' : 'global');
  await rest.put(route(target), { body });
  return body.length;
}

/**
 * Registers the commands only when what Discord has differs from the definitions, so a
 * restart does not re-send them (Discord rate-limits command creates per day).
 */
export async function syncCommands(rest: REST, target: RegisterTarget): Promise<'unchanged' | 'registered'> {
  const scope = target.guildId ? 'guild' : 'global';
  const current = (await rest.get(route(target))) as Array<Record<string, unknown>>;
  if (sameCommands(current, commandDefinitions(scope), scope)) return 'unchanged';
  await registerCommands(rest, target);
  return 'registered';
}

/**
 * What the bot needs in a cohort channel: read it, post rounds and answers, start a thread on a
 * question and answer in it. No privileged intent and no Manage permission.
 */
export const BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.SendMessagesInThreads;

/** The link a server admin opens to add the bot with its commands and those permissions. */
export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot+applications.commands&permissions=${BOT_PERMISSIONS}`;
}
