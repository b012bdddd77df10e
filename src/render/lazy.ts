import type { HeatmapData, HeatmapRenderer } from '../core/report/heatmap.js';

/**
 * The PNG renderer, loaded on the first picture: resvg and sharp are native libraries that would
 * otherwise sit in the bot's memory from the start, though a picture is drawn once a week.
 */
export function createLazyPngRenderer(): HeatmapRenderer {
  let renderer: Promise<HeatmapRenderer> | null = null;
  return {
    async render(data: HeatmapData) {
      renderer ??= import('./png.js').then((m) => m.createPngRenderer());
      return (await renderer).render(data);
    },
  };
}
