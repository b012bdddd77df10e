import { dayText } from '../dates.js';
import type { CheckinStatus, FlagStatus, StallReason } from '../../db/types.js';
import type { OutMessage } from '../chat.js';
import { flagStateLine, plural, quoteShort } from './progress.js';

/** Discord caps a message at 2,000 characters (Slack a section at 3,000): stay under both. */
export const DIGEST_PART_LIMIT = 1900;

/** One cell per week of the grid. */
export type GridCell = CheckinStatus | 'missed' | 'none' | 'not-run';

export interface DigestData {
  cohortName: string;
  week: number;
  milestoneTitle: string;
  /** Learners expected to answer this week: members then, and not away. */
  expected: number;
  checkedIn: number;
  missing: string[];
  away: Array<{ name: string; until: string }>;
  blockers: Array<{ name: string; blocker: string }>;
  flags: Array<{ learnerName: string; status: FlagStatus; acknowledgedBy: string | null; reasons: StallReason[] }>;
  /** Weeks 1..week, one row per learner. */
  grid: Array<{ name: string; cells: GridCell[]; milestonesDone: number; verified?: number }>;
  milestoneCount: number;
  /** Milestones verified by linked work, with the link, for mentors. */
  verified?: Array<{ name: string; milestoneTitle: string; url: string }>;
  /** Lines on how fast mentors answered stall alerts (report/response-times.ts). */
  responseTimes?: string[];
}

const SYMBOLS: Record<GridCell, string> = {
  'on-track': '✅',
  done: '✅',
  behind: '🟡',
  blocked: '🛑',
  missed: '·',
  none: '—',
  'not-run': '×',
};

// Emoji take two columns in a monospace block, the dot and the dash one: pad every cell to three.
function cell(c: GridCell): string {
  return c === 'missed' || c === 'none' || c === 'not-run' ? `${SYMBOLS[c]}  ` : `${SYMBOLS[c]} `;
}

const NAME_WIDTH = 12;

function nameColumn(name: string): string {
  const chars = [...name];
  const shown = chars.length > NAME_WIDTH ? `${chars.slice(0, NAME_WIDTH - 1).join('')}…` : name;
  return shown + ' '.repeat(NAME_WIDTH + 1 - [...shown].length);
}

export function gridHeader(weeks: number): string {
  const cols = Array.from({ length: weeks }, (_, i) => String(i + 1).padStart(2) + ' ').join('');
  return `${'Learner'.padEnd(NAME_WIDTH + 1)}${cols}ms`;
}

export function gridRow(row: DigestData['grid'][number], milestoneCount: number): string {
  const verified = row.verified ? ` ✔${row.verified}` : '';
  return `${nameColumn(row.name)}${row.cells.map(cell).join('')}${row.milestonesDone}/${milestoneCount}${verified}`;
}

export const VERIFIED_LEGEND = ' · ✔n: milestones verified by linked work';

export const GRID_LEGEND = '✅ done or on track · 🟡 behind · 🛑 blocked · `·` missed · `—` not a member yet or away · `×` week not run · ms: milestones done';

function codeBlock(lines: readonly string[]): string {
  return ['```', ...lines, '```'].join('\n');
}

/** The grid as code blocks of at most `limit` characters each, every block with its own header. */
export function gridBlocks(d: Pick<DigestData, 'grid' | 'week' | 'milestoneCount'>, limit = DIGEST_PART_LIMIT): string[] {
  const header = gridHeader(d.week);
  const rows = d.grid.map((r) => gridRow(r, d.milestoneCount));
  const blocks: string[] = [];
  let current: string[] = [];
  const size = (lines: string[]) => codeBlock([header, ...lines]).length;
  for (const row of rows) {
    if (current.length > 0 && size([...current, row]) > limit) {
      blocks.push(codeBlock([header, ...current]));
      current = [];
    }
    current.push(row);
  }
  blocks.push(codeBlock([header, ...current]));
  return blocks;
}

function headLines(d: DigestData): string[] {
  const pct = d.expected === 0 ? 0 : Math.round((d.checkedIn / d.expected) * 100);
  const lines = [
    `**Weekly digest · ${d.cohortName} · week ${d.week}: ${d.milestoneTitle}**`,
    `Checked in: ${d.checkedIn} of ${plural(d.expected, 'learner')} (${pct}%).`,
  ];
  lines.push(d.missing.length === 0 ? '**Missing:** nobody. 🎉' : `**Missing (${d.missing.length}):** ${d.missing.join(', ')}`);
  if (d.away.length > 0) lines.push(`**Away:** ${d.away.map((a) => `${a.name} (until ${dayText(a.until)})`).join(', ')}`);
  lines.push('', `**Blockers this week (${d.blockers.length})**`);
  if (d.blockers.length === 0) lines.push('None.');
  for (const b of d.blockers) lines.push(`• ${b.name}: ${quoteShort(b.blocker)}`);
  lines.push('', `**Open stall flags (${d.flags.length})**`);
  if (d.flags.length === 0) lines.push('None.');
  for (const f of d.flags) lines.push(`• ${f.learnerName} (${flagStateLine(f)}): ${f.reasons.map((r) => r.text).join('; ')}`);
  if (d.verified && d.verified.length > 0) {
    lines.push('', `**Verified by linked work (${d.verified.length})**`);
    for (const v of d.verified) lines.push(`• ${v.name}: ${v.milestoneTitle} ✔ (${v.url})`);
  }
  if (d.responseTimes) lines.push('', '**Response to stall alerts** (alert → first mentor answer)', ...d.responseTimes);
  return lines;
}

/** Splits lines into parts of at most `limit` characters, never inside a line. */
function pack(lines: readonly string[], limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current === '' ? line : `${current}\n${line}`;
    if (current !== '' && next.length > limit) {
      parts.push(current);
      current = line;
    } else current = next;
  }
  if (current !== '') parts.push(current);
  return parts;
}

export function digestMessage(d: DigestData): OutMessage {
  const head = headLines(d);
  const grid = d.grid.length === 0 ? [] : gridBlocks(d);
  const gridTitle = `**Progress grid**\n${GRID_LEGEND}${d.grid.some((r) => r.verified) ? VERIFIED_LEGEND : ''}`;
  const whole = [...head, '', gridTitle, ...grid].join('\n');
  if (d.grid.length === 0 || whole.length <= DIGEST_PART_LIMIT) return { text: d.grid.length === 0 ? head.join('\n') : whole };
  // Too long for one message: the summary stays on top, the grid goes in the thread.
  const parts = pack([...head, '', '_The progress grid is in the thread._'], DIGEST_PART_LIMIT);
  return { text: parts[0]!, thread: [...parts.slice(1), gridTitle, ...grid] };
}
