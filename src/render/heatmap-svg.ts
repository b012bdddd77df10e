import type { CellState, HeatmapColumn, HeatmapData, HeatmapRow } from '../core/report/heatmap.js';

/**
 * Draws the heatmap as SVG. Colours are the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies) and every state also carries its own letter, so the picture reads
 * in greyscale too. Sizes are chosen so 40 learners × 24 weeks stays legible when a chat client
 * shrinks the image to its preview width.
 */

interface StateStyle {
  fill: string;
  ink: string;
  letter: string;
  label: string;
  dashed?: boolean;
}

export const STATE_STYLES: Record<CellState, StateStyle> = {
  'on-track': { fill: '#56B4E9', ink: '#000000', letter: 'O', label: 'on track' },
  done: { fill: '#009E73', ink: '#FFFFFF', letter: 'D', label: 'done' },
  behind: { fill: '#F0E442', ink: '#000000', letter: 'B', label: 'behind' },
  blocked: { fill: '#D55E00', ink: '#FFFFFF', letter: 'X', label: 'blocked' },
  missed: { fill: '#333333', ink: '#FFFFFF', letter: 'M', label: 'missed' },
  away: { fill: '#CC79A7', ink: '#000000', letter: 'A', label: 'away' },
  left: { fill: '#E8D5E0', ink: '#555555', letter: 'L', label: 'left the channel' },
  'not-run': { fill: '#D0D0D0', ink: '#444444', letter: 'N', label: 'not run' },
  skipped: { fill: '#FFFFFF', ink: '#666666', letter: 'S', label: 'skipped (holiday)', dashed: true },
  'not-member': { fill: '#F2F2F2', ink: '#999999', letter: '–', label: 'not in cohort' },
  open: { fill: '#FFFFFF', ink: '#666666', letter: '?', label: 'not answered yet' },
  upcoming: { fill: '#FFFFFF', ink: '#BBBBBB', letter: '', label: 'to come' },
};

const PAD = 24;
const CELL_W = 30;
const SKIP_W = 18;
const CELL_H = 26;
const GAP = 2;
const NAME_W = 190;
const FLAG_W = 46;
const TREND_W = 86;
const DONE_W = 64;
const HEADER_H = 96;
const COLS_H = 40;
const FONT = 'Inter';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function columnWidth(c: HeatmapColumn): number {
  return c.kind === 'skipped' ? SKIP_W : CELL_W;
}

function flagIcon(x: number, y: number, size: number, colour: string): string {
  const h = size;
  return `<path d="M${x} ${y}v${h}" stroke="${colour}" stroke-width="2"/><path d="M${x + 1} ${y}h${h * 0.7}l-${h * 0.18} ${h * 0.25}l${h * 0.18} ${h * 0.25}h-${h * 0.7}z" fill="${colour}"/>`;
}

function lateMark(x: number, y: number): string {
  // A corner triangle: top-right of the cell.
  return `<path d="M${x + CELL_W - 11} ${y}h11v11z" fill="#000000" stroke="#FFFFFF" stroke-width="1"/>`;
}

function verifiedMark(cx: number, cy: number): string {
  return `<path d="M${cx} ${cy - 4}l4 4l-4 4l-4 -4z" fill="#FFFFFF" stroke="#000000" stroke-width="1.5"/>`;
}

function sparkline(values: Array<number | null>, x: number, y: number, w: number, h: number): string {
  const points = values.slice(-8).map((v, i) => ({ v, i })).filter((p): p is { v: number; i: number } => p.v !== null);
  if (points.length === 0) return `<text x="${x + w / 2}" y="${y + h / 2 + 5}" text-anchor="middle" font-size="13" fill="#999999">no rating</text>`;
  const n = Math.max(1, Math.min(8, values.length) - 1);
  const px = (i: number) => x + 4 + (i / n) * (w - 34);
  const py = (v: number) => y + h - 3 - ((v - 1) / 4) * (h - 6);
  const path = points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p.i).toFixed(1)} ${py(p.v).toFixed(1)}`).join(' ');
  const last = points.at(-1)!;
  const first = points[0]!;
  const colour = last.v <= first.v - 2 ? '#D55E00' : '#0072B2';
  return [
    `<rect x="${x + 4}" y="${y + 2}" width="${w - 34}" height="${h - 4}" fill="#F7F7F7"/>`,
    points.length > 1 ? `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>` : '',
    `<circle cx="${px(last.i).toFixed(1)}" cy="${py(last.v).toFixed(1)}" r="3" fill="${colour}"/>`,
    `<text x="${x + w - 24}" y="${y + h / 2 + 5}" font-size="14" font-weight="700" fill="${colour}">${last.v}</text>`,
  ].join('');
}

interface Letter {
  x: number;
  ink: string;
  char: string;
}

function cellSvg(row: HeatmapRow, i: number, x: number, y: number, column: HeatmapColumn, current: boolean, letters: Letter[]): string {
  const cell = row.cells[i]!;
  const s = STATE_STYLES[cell.state];
  const w = columnWidth(column);
  const parts = [
    `<rect x="${x}" y="${y}" width="${w}" height="${CELL_H}" fill="${s.fill}" stroke="${current ? '#000000' : s.dashed || cell.state === 'upcoming' ? '#BBBBBB' : 'none'}"${s.dashed ? ' stroke-dasharray="3 2"' : ''}/>`,
  ];
  if (s.letter && column.kind === 'week') letters.push({ x: x + w / 2, ink: s.ink, char: s.letter });
  if (cell.late) parts.push(lateMark(x, y));
  if (cell.verified) parts.push(verifiedMark(x + 5, y + CELL_H - 6));
  return parts.join('');
}

/**
 * A row's letters as one text element per ink colour, each letter placed by the x list: shaping
 * a few runs instead of a thousand single letters is most of the time saved on a large cohort.
 */
function lettersSvg(letters: readonly Letter[], y: number, glyphs?: CellGlyphs): string {
  const baseline = y + CELL_H / 2 + 5.5;
  if (glyphs && letters.every((l) => glyphs.has(l.char))) {
    return letters.map((l) => `<use href="#${glyphId(l.char)}" x="${l.x}" y="${baseline}" fill="${l.ink}"/>`).join('');
  }
  const byInk = new Map<string, Letter[]>();
  for (const l of letters) byInk.set(l.ink, [...(byInk.get(l.ink) ?? []), l]);
  return [...byInk]
    .map(([ink, ls]) => `<text x="${ls.map((l) => l.x).join(' ')}" y="${baseline}" text-anchor="middle" font-size="15" font-weight="700" fill="${ink}">${ls.map((l) => escapeXml(l.char)).join('')}</text>`)
    .join('');
}

function legend(x: number, y: number, width: number): { svg: string; height: number } {
  const items: Array<{ draw: (x: number, y: number) => string; label: string }> = [];
  for (const state of ['on-track', 'done', 'behind', 'blocked', 'open', 'missed', 'away', 'left', 'not-run', 'skipped', 'not-member', 'upcoming'] as CellState[]) {
    const s = STATE_STYLES[state];
    items.push({
      label: s.label,
      draw: (lx, ly) =>
        `<rect x="${lx}" y="${ly}" width="${CELL_W}" height="${CELL_H}" fill="${s.fill}"${s.dashed ? ' stroke="#999999" stroke-dasharray="3 2"' : state === 'upcoming' ? ' stroke="#BBBBBB"' : ''}/>` +
        `<text x="${lx + CELL_W / 2}" y="${ly + CELL_H / 2 + 5.5}" text-anchor="middle" font-size="15" font-weight="700" fill="${s.ink}">${s.letter}</text>`,
    });
  }
  items.push({ label: 'answered late', draw: (lx, ly) => `<rect x="${lx}" y="${ly}" width="${CELL_W}" height="${CELL_H}" fill="#EEEEEE"/>${lateMark(lx, ly)}` });
  items.push({ label: 'milestone verified', draw: (lx, ly) => `<rect x="${lx}" y="${ly}" width="${CELL_W}" height="${CELL_H}" fill="#EEEEEE"/>${verifiedMark(lx + 5, ly + CELL_H - 6)}` });
  items.push({ label: 'open stall flags', draw: (lx, ly) => flagIcon(lx + 8, ly + 4, 18, '#D55E00') });
  const itemW = 196;
  const perRow = Math.max(1, Math.floor(width / itemW));
  const svg = items
    .map((item, k) => {
      const lx = x + (k % perRow) * itemW;
      const ly = y + Math.floor(k / perRow) * (CELL_H + 8);
      return `${item.draw(lx, ly)}<text x="${lx + CELL_W + 8}" y="${ly + CELL_H / 2 + 5.5}" font-size="15" fill="#222222">${escapeXml(item.label)}</text>`;
    })
    .join('');
  const lines = Math.ceil(items.length / perRow);
  const trendLine = y + lines * (CELL_H + 8) + 16;
  const note = `<text x="${x}" y="${trendLine}" font-size="14" fill="#444444">Confidence: the last 8 ratings (1–5), the latest as a number; red when it fell by 2 or more. Milestones: done of the program's total.</text>`;
  return { svg: svg + note, height: lines * (CELL_H + 8) + 28 };
}

/** The cell letters as outlines (path data, centred on 0 at the baseline), by letter. */
export type CellGlyphs = ReadonlyMap<string, string>;

export const CELL_LETTERS = [...new Set(Object.values(STATE_STYLES).map((s) => s.letter).filter(Boolean))];

const glyphId = (char: string) => `glyph-${char.codePointAt(0)}`;

/** An SVG of every cell letter alone at the origin: what a renderer turns into CellGlyphs once. */
export function cellLettersSvg(): string {
  const texts = CELL_LETTERS.map((c) => `<g id="${glyphId(c)}"><text x="0" y="0" text-anchor="middle" font-family="${FONT}" font-size="15" font-weight="700">${escapeXml(c)}</text></g>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">${texts.join('')}</svg>`;
}

/**
 * With `glyphs`, the thousand cell letters are drawn as copies of one outline each instead of
 * text to shape, which is most of the drawing time of a large cohort.
 */
export function heatmapSvg(data: HeatmapData, glyphs?: CellGlyphs): string {
  const gridW = data.columns.reduce((sum, c) => sum + columnWidth(c) + GAP, 0);
  const width = Math.max(PAD * 2 + NAME_W + FLAG_W + gridW + TREND_W + DONE_W, 900);
  const gridX = PAD + NAME_W + FLAG_W;
  const gridY = HEADER_H + COLS_H;
  const rowsH = Math.max(1, data.rows.length) * (CELL_H + GAP);
  const legendY = gridY + rowsH + 22;
  const { svg: legendSvg, height: legendH } = legend(PAD, legendY, width - PAD * 2);
  const notes = data.notes ?? [];
  const notesY = legendY + legendH + 18;
  const height = notesY + notes.length * 22 + PAD;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`);
  if (glyphs) out.push(`<defs>${[...glyphs].map(([char, d]) => `<path id="${glyphId(char)}" d="${d}" shape-rendering="geometricPrecision"/>`).join('')}</defs>`);
  out.push(`<rect width="${width}" height="${height}" fill="#FFFFFF"/>`);
  out.push(`<text x="${PAD}" y="${PAD + 26}" font-size="28" font-weight="700" fill="#111111">${escapeXml(fit(`${data.cohortName} · ${data.title}`, 70))}</text>`);
  out.push(
    `<text x="${PAD}" y="${PAD + 56}" font-size="17" fill="#333333">${escapeXml(fit(`Week ${data.week} of ${data.weeks} · ${data.programTitle} · ${data.rows.length} learner${data.rows.length === 1 ? '' : 's'} · ${data.date}`, 110))}</text>`,
  );

  // Column headers: week numbers, with the week's date under every fourth one to keep them apart.
  let cx = gridX;
  let lastDateX = -Infinity;
  const xs: number[] = [];
  data.columns.forEach((c, i) => {
    xs.push(cx);
    const w = columnWidth(c);
    if (c.kind === 'week') {
      const current = c.week === data.week;
      out.push(`<text x="${cx + w / 2}" y="${HEADER_H + 16}" text-anchor="middle" font-size="14" font-weight="${current ? 700 : 400}" fill="${current ? '#000000' : '#444444'}">${c.week}</text>`);
      if (c.date && (i === 0 || c.week % 4 === 1 || current) && cx - lastDateX >= 2 * CELL_W) {
        out.push(`<text x="${cx}" y="${HEADER_H + 34}" font-size="11" fill="#666666">${escapeXml(c.date.slice(5))}</text>`);
        lastDateX = cx;
      }
    } else {
      out.push(`<text x="${cx + w / 2}" y="${HEADER_H + 16}" text-anchor="middle" font-size="12" fill="#666666">S</text>`);
    }
    cx += w + GAP;
  });
  out.push(`<text x="${PAD}" y="${HEADER_H + 16}" font-size="14" font-weight="700" fill="#444444">Learner</text>`);
  out.push(`<text x="${PAD}" y="${HEADER_H + 34}" font-size="11" fill="#666666">week → date (MM-DD)</text>`);
  out.push(`<text x="${cx + 4}" y="${HEADER_H + 16}" font-size="14" font-weight="700" fill="#444444">Confidence</text>`);
  out.push(`<text x="${cx + TREND_W + 4}" y="${HEADER_H + 16}" font-size="14" font-weight="700" fill="#444444">Done</text>`);

  data.rows.forEach((row, r) => {
    const y = gridY + r * (CELL_H + GAP);
    if (r % 2 === 1) out.push(`<rect x="${PAD - 6}" y="${y - 1}" width="${width - PAD * 2 + 12}" height="${CELL_H + 2}" fill="#F6F6F6"/>`);
    out.push(`<text x="${PAD}" y="${y + CELL_H / 2 + 5.5}" font-size="15" fill="#111111">${escapeXml(fit(row.name, 20))}</text>`);
    if (row.openFlags > 0) {
      out.push(flagIcon(PAD + NAME_W + 2, y + 4, 18, '#D55E00'));
      out.push(`<text x="${PAD + NAME_W + 20}" y="${y + CELL_H / 2 + 5.5}" font-size="15" font-weight="700" fill="#D55E00">${row.openFlags}</text>`);
    }
    const letters: Letter[] = [];
    data.columns.forEach((c, i) => out.push(cellSvg(row, i, xs[i]!, y, c, c.kind === 'week' && c.week === data.week, letters)));
    out.push(lettersSvg(letters, y, glyphs));
    out.push(sparkline(row.confidence, cx, y, TREND_W, CELL_H));
    out.push(`<text x="${cx + TREND_W + 4}" y="${y + CELL_H / 2 + 5.5}" font-size="15" fill="#111111">${row.milestonesDone}/${data.milestoneCount}</text>`);
  });
  if (data.rows.length === 0) out.push(`<text x="${gridX}" y="${gridY + 18}" font-size="15" fill="#666666">No learners in this cohort yet.</text>`);

  out.push(legendSvg);
  notes.forEach((line, k) => out.push(`<text x="${PAD}" y="${notesY + k * 22}" font-size="16" fill="#111111">${escapeXml(line)}</text>`));
  out.push('</svg>');
  return out.join('');
}
