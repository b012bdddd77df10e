import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import type { HeatmapData, HeatmapRenderer } from '../core/report/heatmap.js';
import { CELL_LETTERS, cellLettersSvg, heatmapSvg, type CellGlyphs } from './heatmap-svg.js';

const require = createRequire(import.meta.url);

/** Inter (SIL Open Font License), shipped as .ttf by its npm package: no system font is ever used. */
export const FONT_FILES = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf'),
];

const OPTIONS = {
  font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter', sansSerifFamily: 'Inter' },
  // Crisp rectangles: the grid needs no anti-aliasing, and flat edges compress far better.
  shapeRendering: 0 as const,
};

function rasterise(svg: string) {
  return new Resvg(svg, OPTIONS).render();
}

let glyphs: CellGlyphs | null = null;

/** The cell letters' outlines in our font, taken once from resvg's own text-to-path conversion. */
export function cellGlyphs(): CellGlyphs {
  if (glyphs) return glyphs;
  const outlined = new Resvg(cellLettersSvg(), OPTIONS).toString();
  const found = new Map<string, string>();
  for (const m of outlined.matchAll(/<g id="glyph-(\d+)">\s*<g>\s*<path[^>]* d="([^"]+)"/g)) found.set(String.fromCodePoint(Number(m[1])), m[2]!);
  // A letter without an outline stays text (heatmapSvg falls back), so nothing is ever lost.
  glyphs = CELL_LETTERS.every((c) => found.has(c)) ? found : new Map();
  return glyphs;
}

/** resvg's own full-colour PNG: the baseline the bench compares the palette PNG with. */
export function svgToFullColourPng(svg: string): Uint8Array {
  return rasterise(svg).asPng();
}

/**
 * resvg draws (with our font), sharp writes a palette PNG. The picture has a dozen flat colours
 * plus anti-aliased text, so 64 colours without dithering look the same at a third of the bytes.
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const image = rasterise(svg);
  const png = await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 4 } })
    .png({ palette: true, colours: 64, dither: 0, effort: 1, compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** The renderer the bot and the CLI use. */
export function createPngRenderer(): HeatmapRenderer {
  return { render: (data: HeatmapData) => svgToPng(heatmapSvg(data, cellGlyphs())) };
}
