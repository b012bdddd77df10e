import { dayText } from '../dates.js';
import type { FlagStatus, StallReason } from '../../db/types.js';
import type { OutMessage } from '../chat.js';
import { countSentence, type AttendanceState, type Tally } from '../attendance.js';
import { flagStateLine, formatWhenFor, quoteShort } from './progress.js';

/** Discord caps a message at 2,000 characters (Slack a section at 3,000): stay under both. */
export const DIGEST_PART_LIMIT = 1900;

/** One cell per week of the grid: what attendance.ts says of the learner's week. */
export type GridCell = AttendanceState;

/**
 * A week's digest as reported. It names members by id as well, so a later rebuild (an erasure)
 * can leave a learner out and still say what was true that week. JSON-safe: it is kept as it was.
 */
export interface DigestData {
  cohortName: string;
  week: number;
  milestoneTitle: string;
  timezone: string;
  /** When the week's round closes (ISO), null while nothing closes it yet. */
  closesAt: string | null;
  /** Whether it had closed when the digest was made: "missed", or "not checked in yet". */
  closed: boolean;
  /** Weeks 1..week, one row per learner; the last cell is the digest's week. */
  grid: Array<{ id: number; name: string; cells: GridCell[]; milestonesDone: number; verified?: number; awayUntil?: string }>;
  blockers: Array<{ id: number; name: string; blocker: string }>;
  flags: Array<{ memberId: number; learnerName: string; status: FlagStatus; acknowledgedBy: string | null; reasons: StallReason[] }>;
  milestoneCount: number;
  /** Milestones verified by linked work, with the link, for mentors. */
  verified?: Array<{ id: number; name: string; milestoneTitle: string; url: string }>;
  /** Lines on how fast mentors answered stall alerts (report/response-times.ts). */
  responseTimes?: string[];
}

/** The week's count, from the grid: the same definition as the round post's. */
export function digestTally(d: Pick<DigestData, 'grid' | 'week'>): Tally {
  const t: Tally = { answered: 0, expected: 0, away: 0, left: 0 };
  for (const row of d.grid) {
    const c = row.cells[d.week - 1];
    if (c === 'away') t.away += 1;
    else if (c === 'left') t.left! += 1;
    else if (c === 'open' || c === 'missed') t.expected += 1;
    else if (c !== undefined && c !== 'not-member' && c !== 'not-run') {
      t.answered += 1;
      t.expected += 1;
    }
  }
  return t;
}

/** The digest without these members: everything that named them goes, and the counts with them. */
export function digestWithout(d: DigestData, memberIds: ReadonlySet<number>): DigestData {
  const keep = <T>(list: T[] | undefined, id: (x: T) => number) => list?.filter((x) => !memberIds.has(id(x)));
  return {
    ...d,
    grid: keep(d.grid, (r) => r.id)!,
    blockers: keep(d.blockers, (b) => b.id)!,
    flags: keep(d.flags, (f) => f.memberId)!,
    ...(d.verified ? { verified: keep(d.verified, (v) => v.id)! } : {}),
  };
}

const SYMBOLS: Record<GridCell, string> = {
  'on-track': '✅',
  done: '✅',
  behind: '🟡',
  blocked: '🛑',
  missed: '·',
  open: '?',
  away: 'a',
  left: 'L',
  'not-member': '—',
  'not-run': '×',
};

const EMOJI = new Set<GridCell>(['on-track', 'done', 'behind', 'blocked']);

// Emoji take two columns in a monospace block, the other marks one: pad every cell to three.
function cell(c: GridCell): string {
  return EMOJI.has(c) ? `${SYMBOLS[c]} ` : `${SYMBOLS[c]}  `;
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

export const GRID_LEGEND = '✅ done or on track · 🟡 behind · 🛑 blocked · `?` not answered yet · `·` missed · `a` away · `L` left the channel · `—` not a member yet · `×` week not run · ms: milestones done';

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

function headLines(d: DigestData, readerZone?: string): string[] {
  const tally = digestTally(d);
  const pct = tally.expected === 0 ? 0 : Math.round((tally.answered / tally.expected) * 100);
  const count = countSentence(tally);
  const lines = [`**Weekly digest · ${d.cohortName} · week ${d.week}: ${d.milestoneTitle}**`, `${count.charAt(0).toUpperCase()}${count.slice(1)}: ${pct}%.`];
  const unanswered = d.grid.filter((r) => r.cells[d.week - 1] === 'open' || r.cells[d.week - 1] === 'missed').map((r) => r.name);
  if (unanswered.length === 0) lines.push('**Missing:** nobody. 🎉');
  else if (d.closed) lines.push(`**Missed (${unanswered.length}):** ${unanswered.join(', ')}`);
  else {
    const until = d.closesAt ? ` until ${formatWhenFor(new Date(d.closesAt), d.timezone, readerZone)}` : ' until the next round opens';
    lines.push(`**Not checked in yet (${unanswered.length}):** ${unanswered.join(', ')}. Week ${d.week} stays open${until}; their answers may still come.`);
  }
  const left = d.grid.filter((r) => r.cells[d.week - 1] === 'left');
  if (left.length > 0) lines.push(`**Left the channel (${left.length}):** ${left.map((r) => r.name).join(', ')}; nothing more is sent to or about them unless they come back.`);
  const away = d.grid.filter((r) => r.cells[d.week - 1] === 'away');
  if (away.length > 0) lines.push(`**Away:** ${away.map((a) => (a.awayUntil ? `${a.name} (until ${dayText(a.awayUntil)})` : a.name)).join(', ')}`);
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

/** `readerZone`: the mentor's own zone, for the times the digest names. */
export function digestMessage(d: DigestData, readerZone?: string): OutMessage {
  const head = headLines(d, readerZone);
  const grid = d.grid.length === 0 ? [] : gridBlocks(d);
  const gridTitle = `**Progress grid**\n${GRID_LEGEND}${d.grid.some((r) => r.verified) ? VERIFIED_LEGEND : ''}`;
  const whole = [...head, '', gridTitle, ...grid].join('\n');
  if (d.grid.length === 0 || whole.length <= DIGEST_PART_LIMIT) return { text: d.grid.length === 0 ? head.join('\n') : whole };
  // Too long for one message: the summary stays on top, the grid goes in the thread.
  const parts = pack([...head, '', '_The progress grid is in the thread._'], DIGEST_PART_LIMIT);
  return { text: parts[0]!, thread: [...parts.slice(1), gridTitle, ...grid] };
}
