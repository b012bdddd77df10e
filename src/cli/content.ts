import { parseArgs } from 'node:util';
import { checkContent, formatIssues } from '../content/load.js';

const USAGE = 'usage: mentorbot content check [--content DIR]';

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { content: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.positionals.join(' ') !== 'check') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const dir = parsed.values.content ?? process.env.CONTENT_DIR ?? './content';
  const issues = await checkContent(dir);
  if (issues.length > 0) {
    process.stderr.write(`${formatIssues(issues)}\n${issues.length} problem${issues.length === 1 ? '' : 's'} in ${dir}\n`);
    return 1;
  }
  process.stdout.write(`${dir}: content is valid\n`);
  return 0;
}
