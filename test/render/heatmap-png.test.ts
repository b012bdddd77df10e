import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { CellState, HeatmapData } from '../../src/core/report/heatmap.js';
import { escapeXml, heatmapSvg, STATE_STYLES } from '../../src/render/heatmap-svg.js';
import { createPngRenderer, FONT_FILES } from '../../src/render/png.js';

const STATES: CellState[] = ['on-track', 'behind', 'blocked', 'done', 'missed', 'away'];

/** 40 learners × 24 weeks, with every state, late and verified marks, flags and a skipped week. */
export function bigCohort(): HeatmapData {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const weeks = Array.from({ length: 24 }, (_, i) => ({ kind: 'week' as const, week: i + 1, date: new Date(Date.UTC(2027, 0, 4 + 7 * i)).toISOString().slice(0, 10) }));
  const columns = [...weeks.slice(0, 10), { kind: 'skipped' as const, date: '2027-03-15' }, ...weeks.slice(10)];
  return {
    title: 'weekly digest',
    cohortName: 'Spring 2027',
    programTitle: 'Data scientist to ML engineer',
    week: 18,
    weeks: 24,
    date: '2027-05-10',
    milestoneCount: 7,
    columns,
    rows: Array.from({ length: 40 }, (_, r) => ({
      name: `Learner ${r + 1} Müller-Łukasiewicz`,
      openFlags: r % 7 === 0 ? 2 : 0,
      milestonesDone: r % 8,
      confidence: Array.from({ length: 8 }, () => 1 + Math.floor(rnd() * 5)),
      cells: columns.map((c) =>
        c.kind === 'skipped' ? { state: 'skipped' as const } : c.week > 18 ? { state: 'upcoming' as const } : c.week === 5 ? { state: 'not-run' as const } : r === 39 && c.week < 3 ? { state: 'not-member' as const } : { state: STATES[Math.floor(rnd() * 6)]!, late: rnd() < 0.1, verified: rnd() < 0.1 },
      ),
    })),
    notes: ['Milestones finished (of 40): Production code baseline 31 · Containerization 20', 'Response to stall alerts: median 3.5 h, 90th percentile 20 h over 12 alerts'],
  };
}

/** The pixels of one character drawn alone with our fonts and nothing else. */
function glyphPixels(char: string): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><text x="4" y="30" font-family="Inter" font-size="28">${escapeXml(char)}</text></svg>`;
  return Buffer.from(new Resvg(svg, { font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' } }).render().pixels);
}

describe('the heatmap picture', () => {
  it('is a PNG of at most 200 KB for 40 learners × 24 weeks, wide enough to read when a chat shrinks it', async () => {
    const png = await createPngRenderer().render(bigCohort());
    expect(Buffer.from(png.subarray(0, 8))).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeLessThanOrEqual(200 * 1024);
    const meta = await sharp(png).metadata();
    expect(meta.width).toBeGreaterThanOrEqual(1000);
    expect(meta.width).toBeLessThanOrEqual(1400);
    expect(meta.height).toBeLessThanOrEqual(1600);
  });

  it('names the cohort, the week and the date, and has a legend entry with its own letter for every state', () => {
    const svg = heatmapSvg(bigCohort());
    for (const text of ['Spring 2027 · weekly digest', 'Week 18 of 24', '2027-05-10', 'Confidence', 'answered late', 'milestone verified', 'open stall flags']) expect(svg).toContain(escapeXml(text));
    const letters = Object.values(STATE_STYLES).map((s) => s.letter).filter(Boolean);
    expect(new Set(letters).size).toBe(letters.length);
    for (const s of Object.values(STATE_STYLES)) expect(svg).toContain(`>${escapeXml(s.label)}</text>`);
  });

  it('draws every character it writes with the shipped font: none falls back to the missing-glyph box', () => {
    const svg = heatmapSvg(bigCohort());
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&lt;|&gt;|&amp;|&quot;|&apos;/g, 'x'));
    const chars = new Set([...texts.join('')].filter((c) => c.trim() !== ''));
    expect(chars.size).toBeGreaterThan(40);
    // Inter has no CJK: these two draw its missing-glyph box, the same for both.
    const missing = glyphPixels('漢');
    expect(glyphPixels('字').equals(missing)).toBe(true);
    expect(missing.some((v) => v !== 0)).toBe(true);
    const absent = [...chars].filter((c) => glyphPixels(c).equals(missing));
    expect(absent).toEqual([]);
  });
});
