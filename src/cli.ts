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
                                               every stored check-in
  evidence verify <url> --milestone ID [--program ID] [--json]
                                               run a milestone's evidence checks on a link (exit 0 verified, 1 not, 2 bad input)
  data export --user <platform:id> [--out FILE]
                                               everything kept about one person, as JSON
  data delete --user <platform:id> --yes       erase it, as /mydata delete does
  audit [--cohort NAME] [--json]               organizer and mentor actions and data deletions, who, when and where
  outbox failed [--json] · outbox retry <id>|--all
                                               messages that could not be delivered, with why; send them again
  sessions revoke [--user <platform:id>]       end web dashboard sessions (everyone's, or one person's)
  report --cohort NAME --out FILE.png [--week N]
                                               render the cohort heatmap to a PNG
  slack manifest [--url URL | --socket] [--json] [--name NAME]
                                               print the Slack app manifest (HTTP events at URL, or Socket Mode)
  discord register [--print]                   register the Discord slash commands (--print: show them instead)

  mentorbot <command> --help                   more about one command
`;

interface Runner {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

const commands: Record<string, () => Promise<Runner>> = {
  start: async () => ({ run: (await import('./main.js')).runStart, usage: (await import('./main.js')).START_USAGE }),
  migrate: async () => ({ run: (await import('./main.js')).runMigrate, usage: (await import('./main.js')).MIGRATE_USAGE }),
  content: async () => ({ run: (await import('./cli/content.js')).run, usage: (await import('./cli/content.js')).USAGE }),
  faq: async () => ({ run: (await import('./cli/faq.js')).run, usage: (await import('./cli/faq.js')).USAGE }),
  demo: async () => ({ run: (await import('./cli/demo.js')).run, usage: (await import('./cli/demo.js')).USAGE }),
  export: async () => ({ run: (await import('./cli/export.js')).run, usage: (await import('./cli/export.js')).USAGE }),
  evidence: async () => ({ run: (await import('./cli/evidence.js')).run, usage: (await import('./cli/evidence.js')).USAGE }),
  data: async () => ({ run: (argv) => import('./cli/data.js').then((m) => m.run(argv)), usage: (await import('./cli/data.js')).USAGE }),
  audit: async () => ({ run: (argv) => import('./cli/audit.js').then((m) => m.run(argv)), usage: (await import('./cli/audit.js')).USAGE }),
  outbox: async () => ({ run: (argv) => import('./cli/outbox.js').then((m) => m.run(argv)), usage: (await import('./cli/outbox.js')).USAGE }),
  sessions: async () => ({ run: (argv) => import('./cli/sessions.js').then((m) => m.run(argv)), usage: (await import('./cli/sessions.js')).USAGE }),
  report: async () => ({ run: (await import('./cli/report.js')).run, usage: (await import('./cli/report.js')).USAGE }),
  slack: async () => ({ run: (await import('./cli/slack.js')).run, usage: (await import('./cli/slack.js')).USAGE }),
  discord: async () => ({ run: (await import('./cli/discord.js')).run, usage: (await import('./cli/discord.js')).USAGE }),
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
    const runner = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${runner.usage.trimEnd()}\n`);
      return 0;
    }
    return await runner.run(rest);
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
