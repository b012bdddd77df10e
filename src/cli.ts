#!/usr/bin/env node
import { ConfigError } from './config.js';

const USAGE = `usage: mentorbot <command>

  start                                        run the bot (what npm start does)
  migrate                                      apply database migrations
  content check [--content DIR]                validate programs and FAQ
  faq [--content DIR] [--json] "<question>"    answer one question
  faq [--content DIR] --jsonl                  one question per line on stdin, one JSON object per line out
  faq gaps [--limit N]                         unanswered and unhelpful questions, most frequent first
  faq drafts [--out DIR]                       mentor answers and alias candidates as entries for curators
  demo                                         a simulated six-week cohort in a throwaway database
  export checkins [--cohort NAME] [--format csv|json]
  slack manifest                               print the Slack app manifest
  discord register                             register the Discord slash commands
`;

type Runner = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Runner>> = {
  start: async () => (await import('./main.js')).runStart,
  migrate: async () => (await import('./main.js')).runMigrate,
  content: async () => (await import('./cli/content.js')).run,
  faq: async () => (await import('./cli/faq.js')).run,
  demo: async () => (await import('./cli/demo.js')).run,
  export: async () => (await import('./cli/export.js')).run,
  slack: async () => (await import('./cli/slack.js')).run,
  discord: async () => (await import('./cli/discord.js')).run,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`mentorbot: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
// `start` keeps running until a signal; every other command ends here.
if (code !== -1) process.exitCode = code;
