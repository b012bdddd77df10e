import { weekCount, type FinalReportData } from '../messages/program-end.js';
import { durationText, type ResponseTimes } from './response-times.js';

const WIDTH = 120;

/** Joins items into lines of at most WIDTH characters, the first one led by `label`. */
function wrap(label: string, items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = label;
  for (const item of items) {
    const next = line === label || line === '   ' ? `${line}${item}` : `${line} · ${item}`;
    if (next.length > WIDTH && line !== label && line !== '   ') {
      lines.push(line);
      line = `   ${item}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/** The final report's figures, printed under its heatmap. */
export function finalNotes(d: FinalReportData, times: ResponseTimes): string[] {
  const response =
    times.answered === 0
      ? 'Response to stall alerts: none answered.'
      : `Response to stall alerts: median ${durationText(times.medianSeconds!)}, 90th percentile ${durationText(times.p90Seconds!)} over ${times.answered} alert${times.answered === 1 ? '' : 's'}`;
  return [
    ...wrap(`Learners who finished each milestone (of ${d.learnerCount}): `, d.milestones.map((m) => `${m.title} ${m.finished}`)),
    ...wrap('Answers per week: ', d.answersPerWeek.map((w) => `w${w.week} ${weekCount(w)}`)),
    `Stall flags: ${d.flagsRaised} raised · ${d.flagsResolvedByMentors} resolved by a mentor · ${d.flagsResolvedThemselves} resolved themselves · ${d.flagsOpenAtEnd} open at the end.`,
    ...wrap(`${response}${times.byMentor.length > 0 ? '. By mentor (median / 90th): ' : ''}`, times.byMentor.map((m) => `${m.mentor} ${durationText(m.medianSeconds!)} / ${durationText(m.p90Seconds!)}`)),
  ];
}
