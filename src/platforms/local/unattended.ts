import { existsSync } from 'node:fs';

/** What the start looks at: the environment, whether stdin is a terminal, and files a container runtime leaves. */
export interface Surroundings {
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  exists?: (file: string) => boolean;
}

/**
 * Why nobody can be typing to a bot started without a Slack or Discord token, or null when a person
 * at a terminal can (terminal mode). A production setting or a stdin that is not a terminal (a
 * container's or a service manager's /dev/null, a pipe) means the bot serves no one. A container
 * alone does not: `docker run -it` and development containers have a person at the terminal.
 */
export function whyUnattended({ env, stdinIsTTY, exists = existsSync }: Surroundings): string | null {
  if (env.NODE_ENV === 'production') return 'NODE_ENV=production';
  if (stdinIsTTY) return null;
  const container = exists('/.dockerenv') || exists('/run/.containerenv') || Boolean(env.container) || Boolean(env.KUBERNETES_SERVICE_HOST);
  return container ? 'it runs in a container with no terminal attached' : 'its input is not a terminal';
}

/** The cause /healthz gives and the start logs, for a bot with no platform that nobody can type to. */
export function noPlatformCause(why: string): string {
  return (
    `no platform is connected: neither SLACK_BOT_TOKEN nor DISCORD_TOKEN is set, and terminal mode serves no one here (${why}). ` +
    'Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or DISCORD_TOKEN and DISCORD_APPLICATION_ID; for terminal mode, run `npm start` in a terminal.'
  );
}
