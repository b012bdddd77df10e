import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bigCohort } from '../../bench/lib/heatmap-data.js';
import { CELL_LETTERS, escapeXml, heatmapSvg, STATE_STYLES } from '../../src/render/heatmap-svg.js';
import { cellGlyphs, createPngRenderer, FONT_FILES } from '../../src/render/png.js';

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

  it('draws the cell letters from outlines taken from the font once, not as a thousand texts to shape', () => {
    const glyphs = cellGlyphs();
    expect([...glyphs.keys()].sort()).toEqual([...CELL_LETTERS].sort());
    const svg = heatmapSvg(bigCohort(), glyphs);
    expect(svg.match(/<use href="#glyph-/g)!.length).toBeGreaterThan(40 * 17);
    // Without outlines a row's letters are one text with an x list; with them there is none.
    expect(heatmapSvg(bigCohort())).toMatch(/<text x="[\d.]+ [\d.]+/);
    expect(svg).not.toMatch(/<text x="[\d.]+ [\d.]+/);
  });
});
