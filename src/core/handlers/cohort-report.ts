import type { Actor, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { enqueueWithFiles } from '../attachments.js';
import { heatmapFile, HEATMAP_ATTACHED } from '../report/heatmap-file.js';
import { latestPostedWeek } from '../report/load-heatmap.js';
import { responseLines, responseTimes } from '../report/response-times.js';
import { channelCohort, requireMentorOf } from './access.js';
import { privately, Refusal } from './reply.js';

/**
 * `/cohort report`: the heatmap and figures go to the mentor by DM through the outbox, the one
 * place files are delivered on every platform (an ephemeral reply cannot carry a file on Slack).
 */
export async function sendCohortReport(deps: CoreDeps, actor: Actor, place: Place): Promise<Reply> {
  const now = deps.clock.now();
  const cohort = await channelCohort(deps, actor, place);
  await requireMentorOf(deps, actor, cohort, 'see the cohort report');
  if (!deps.renderer) throw new Refusal('This bot was started without its image renderer, so it cannot draw the report.');
  const week = await latestPostedWeek(deps.db, cohort.id);
  if (week === 0) throw new Refusal(`${cohort.name} has had no check-in round yet, so there is nothing to draw. \`/cohort schedule\` shows when the first one opens.`);
  const file = await heatmapFile(deps.db, deps.content, deps.renderer, cohort, week, now, { title: 'cohort report', suffix: '-report' });
  if (!file) throw new Refusal(`The report of ${cohort.name} could not be drawn just now. Try again in a minute.`);
  const text = [
    `**Cohort report · ${cohort.name} · week ${week}**`,
    '**Response to stall alerts** (alert → first mentor answer)',
    ...responseLines(await responseTimes(deps.db, cohort.id)),
    HEATMAP_ATTACHED,
  ].join('\n');
  await enqueueWithFiles(deps.db, [
    {
      key: `cohort-report:${cohort.id}:${actor.userId}:${now.getTime()}`,
      kind: 'report',
      platform: cohort.platform,
      targetKind: 'user',
      targetId: actor.userId,
      message: { text },
      availableAt: now,
      immediate: true,
      files: [file],
    },
  ]);
  return privately(`I'm sending you the report of **${cohort.name}** (week ${week}) by direct message: the heatmap and the response times.`);
}
