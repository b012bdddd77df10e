import { parseArgs } from 'node:util';
import { checkContent, formatIssues, loadContent } from '../content/load.js';
import type { Content } from '../content/types.js';
import { misplacedPhrasings } from '../core/faq/phrasing-check.js';

export const USAGE = `usage: mentorbot content check [--content DIR]

  validates every program, FAQ entry and the thesaurus, and that each FAQ question and alias
  finds its own entry first; each error names the file and the field
  --content   the content directory (default CONTENT_DIR, else ./content)`;

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
  const invalid = await checkContent(dir);
  const content = invalid.length === 0 ? await loadContent(dir) : null;
  const issues = content ? misplacedPhrasings(content.faq, content.thesaurus) : invalid;
  if (!content || issues.length > 0) {
    process.stderr.write(`${formatIssues(issues)}\n${issues.length} problem${issues.length === 1 ? '' : 's'} in ${dir}\n`);
    return 1;
  }
  process.stdout.write(`${dir}: content is valid: ${summary(content)}\n`);
  return 0;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function summary(content: Content): string {
  const programs = [...content.programs.values()].map((p) => `${p.id}: ${count(p.milestones.length, 'milestone')} over ${count(p.weeks.length, 'week')}`);
  return [
    `${count(content.programs.size, 'program')} (${programs.join('; ')})`,
    count(content.faq.length, 'FAQ entry').replace(/entrys$/, 'entries'),
    count(content.thesaurus.length, 'thesaurus group'),
  ].join(', ');
}
