import { DiscordAPIError, REST } from 'discord.js';
import { loadConfig } from '../config.js';
import { commandDefinitions } from '../platforms/discord/commands.js';
import { inviteUrl, registerCommands } from '../platforms/discord/register.js';

export const USAGE = `usage: mentorbot discord register [--print]

  register           replace the bot's slash commands: in DISCORD_GUILD_ID when set
                     (instant, for testing), else globally for every server
  register --print   print the commands as JSON instead of sending them
`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...flags] = argv;
  if (argv.includes('--help') || argv.includes('-h') || sub === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'register' || flags.some((f) => f !== '--print')) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (flags.includes('--print')) {
    const scope = process.env.DISCORD_GUILD_ID?.trim() ? 'guild' : 'global';
    process.stdout.write(`${JSON.stringify(commandDefinitions(scope), null, 2)}\n`);
    return 0;
  }
  const config = loadConfig();
  if (!config.discord) {
    process.stderr.write(
      'mentorbot discord register: DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set (the bot token and the application id from the Discord developer portal)\n',
    );
    return 1;
  }
  const { token, applicationId, guildId, apiUrl } = config.discord;
  const rest = new REST(apiUrl ? { api: apiUrl.replace(/\/+$/, '') } : {}).setToken(token);
  try {
    const count = await registerCommands(rest, { applicationId, guildId });
    process.stdout.write(
      guildId
        ? `Registered ${count} commands in server ${guildId}.\n`
        : `Registered ${count} global commands; Discord may take a few minutes to show them in every server.\n`,
    );
    // An invite only means something on discord.com itself, not on a test server standing in for it.
    if (apiUrl) process.stdout.write(`DISCORD_API_URL is set (${apiUrl}), so no discord.com invite link is printed.\n`);
    else process.stdout.write(`If the bot is not in your server yet, add it with: ${inviteUrl(applicationId)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof DiscordAPIError) {
      const hint = err.status === 401 ? ' (check DISCORD_TOKEN)' : err.status === 403 || err.status === 404 ? ' (check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID, and that the bot is in that server)' : '';
      process.stderr.write(`mentorbot discord register: Discord answered ${err.status}: ${err.message}${hint}\n`);
      return 1;
    }
    throw err;
  }
}
