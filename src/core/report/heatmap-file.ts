import type { Content } from '../../content/types.js';
import type { Cohort } from '../../db/types.js';
import type { OutFile } from '../attachments.js';
import type { Executor } from '../outbox.js';
import { heatmapFileName, PNG, type HeatmapData, type HeatmapRenderer } from './heatmap.js';
import { loadHeatmap, type HeatmapOptions } from './load-heatmap.js';

/**
 * The cohort's heatmap as a file to attach, or null when it cannot be drawn (no program, or the
 * renderer failed): a digest or report then goes without its picture rather than not at all.
 */
export async function heatmapFile(
  db: Executor,
  content: Content,
  renderer: HeatmapRenderer,
  cohort: Cohort,
  week: number,
  now: Date,
  options: HeatmapOptions & { suffix?: string } = {},
): Promise<OutFile | null> {
  const data = await loadHeatmap(db, content, cohort, week, now, options);
  return data ? drawHeatmap(renderer, data, cohort.name, week, options.suffix) : null;
}

/** Heatmap data drawn as the file to attach; null when the renderer fails (the message goes without it). */
export async function drawHeatmap(renderer: HeatmapRenderer, data: HeatmapData, cohortName: string, week: number, suffix?: string): Promise<OutFile | null> {
  try {
    const bytes = await renderer.render(data);
    return { name: heatmapFileName(cohortName, week, suffix), contentType: PNG, bytes };
  } catch {
    return null;
  }
}

export const HEATMAP_ATTACHED = '_The cohort heatmap is attached._';
