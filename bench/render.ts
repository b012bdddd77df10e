/**
 * The heatmap renderer: time to draw 40 learners × 24 weeks and the PNG's size, for the renderer
 * the bot uses (our SVG → resvg with the shipped Inter font → sharp palette PNG), next to two
 * baselines measured in the same run: resvg's own full-colour PNG, and sharp rasterising the SVG
 * itself (librsvg, which can only use the fonts installed on the machine).
 * Targets: p95 ≤ 200 ms, PNG ≤ 200 KB.
 */
import sharp from 'sharp';
import { heatmapSvg } from '../src/render/heatmap-svg.js';
import { cellGlyphs, svgToFullColourPng, svgToPng } from '../src/render/png.js';
import { bigCohort } from './lib/heatmap-data.js';
import { figure, heading, machineLine, ms, numberArg, percentile, sortedCopy, summarize, table } from './lib/report.js';

const RUNS = numberArg('--runs', 30);
const WARMUP = 3;

interface Measured {
  name: string;
  p50: number;
  p95: number;
  bytes: number;
}

async function measure(name: string, draw: () => Promise<Uint8Array> | Uint8Array): Promise<Measured> {
  let bytes = 0;
  for (let i = 0; i < WARMUP; i++) bytes = (await draw()).length;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    bytes = (await draw()).length;
    times.push(performance.now() - started);
  }
  const sorted = sortedCopy(times);
  return { name, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), bytes };
}

async function main(): Promise<void> {
  const data = bigCohort();
  console.log(`heatmap render: ${data.rows.length} learners × ${data.weeks} weeks, ${RUNS} runs after ${WARMUP} warm-up; ${machineLine()}`);
  const glyphs = cellGlyphs();
  const svgOnly = await measure('build the SVG text only', () => new TextEncoder().encode(heatmapSvg(data, glyphs)));
  const chosen = await measure('SVG → resvg → sharp palette PNG (used)', () => svgToPng(heatmapSvg(data, glyphs)));
  const resvgOnly = await measure('SVG → resvg full-colour PNG', () => svgToFullColourPng(heatmapSvg(data)));
  const librsvg = await measure('SVG → sharp/librsvg (system fonts)', async () => new Uint8Array(await sharp(Buffer.from(heatmapSvg(data))).png().toBuffer()));
  heading('heatmap render');
  console.log(table(['renderer', 'p50', 'p95', 'PNG'], [svgOnly, chosen, resvgOnly, librsvg].map((m) => [m.name, ms(m.p50), ms(m.p95), `${(m.bytes / 1024).toFixed(0)} KB`])));
  const kb = (b: number) => b / 1024;
  summarize(
    [
      { bench: 'render', what: 'heatmap 40×24, p95', value: ms(chosen.p95), baseline: `resvg full-colour ${ms(resvgOnly.p95)}; librsvg ${ms(librsvg.p95)}`, target: '≤ 200 ms', ok: chosen.p95 <= 200 },
      { bench: 'render', what: 'heatmap 40×24, PNG size', value: `${kb(chosen.bytes).toFixed(0)} KB`, baseline: `resvg full-colour ${kb(resvgOnly.bytes).toFixed(0)} KB`, target: '≤ 200 KB', ok: chosen.bytes <= 200 * 1024 },
    ],
    [
      figure('render', 'heatmap-40x24-p95', chosen.p95, 'ms', ['render/resvg-full-colour-p95', resvgOnly.p95]),
      figure('render', 'heatmap-40x24-p50', chosen.p50, 'ms', ['render/resvg-full-colour-p50', resvgOnly.p50]),
      figure('render', 'heatmap-40x24-png-size', kb(chosen.bytes), 'KB', ['render/resvg-full-colour-png-size', kb(resvgOnly.bytes)]),
      figure('render', 'librsvg-40x24-p95', librsvg.p95, 'ms', ['render/heatmap-40x24-p95', chosen.p95]),
      figure('render', 'svg-text-40x24-p95', svgOnly.p95, 'ms', ['render/heatmap-40x24-p95', chosen.p95]),
    ],
  );
}

await main();
