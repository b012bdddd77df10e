import type { CoreDeps } from '../core/core.js';
import { enqueueDueDigests } from '../core/digest.js';
import { endFinishedPrograms } from '../core/program-end.js';
import { openDueRounds, sendDueReminders } from '../core/rounds.js';
import { runEvidenceJobs } from '../core/evidence/jobs.js';
import { purgeExpiredNotes } from '../core/retention.js';
import { reportFailures } from '../core/failures.js';
import { evaluateStalls } from './stall-evaluation.js';

const EVENT_MEMORY_MS = 7 * 86_400_000;
const HEARTBEAT = 'scheduler';

export interface TickSummary {
  rounds: number;
  reminders: number;
  flagged: number;
  resolved: number;
  resent: number;
  escalated: number;
  digests: number;
  ended: number;
}

/**
 * Everything the bot does on its own, decided for one moment. Each step writes its messages to the
 * outbox in the same transaction as its state change, so any number of replicas may tick at once.
 * A program that ends closes its flags first, so the stall evaluation raises none for it; flags are
 * brought up to date before any digest is built, so a digest reports them as they stand; a last
 * week's digest due by the end still goes out after it.
 */
export async function runTick(deps: CoreDeps, now: Date): Promise<TickSummary> {
  const beat = await deps.db.selectFrom('heartbeats').select('at').where('name', '=', HEARTBEAT).executeTakeFirst();
  const rounds = await openDueRounds(deps.db, deps.content, now, { admins: deps.admins, lastSeen: beat ? new Date(beat.at) : null });
  const ended = await endFinishedPrograms(deps.db, deps.content, now, deps.renderer, deps.admins);
  // Linked work due its daily re-check is checked before the evaluation that reads its activity.
  if (deps.evidence) await runEvidenceJobs(deps.db, deps.content, deps.evidence, now);
  const stalls = await evaluateStalls(deps.db, deps.content, now, { admins: deps.admins, fullScanEveryMs: deps.stallFullScanMs });
  const digests = await enqueueDueDigests(deps.db, deps.content, now, deps.renderer, deps.admins);
  const reminders = await sendDueReminders(deps.db, deps.content, now, deps.reminderAfterHours);
  await purgeExpiredNotes(deps.db, now, deps.retentionDays);
  // Messages that could not be delivered are listed to the organizers, at most once a day per cohort.
  await reportFailures(deps.db, deps.admins, now);
  // Platforms retry an event within minutes; a week of ids is plenty to recognise a retry.
  await deps.db.deleteFrom('processed_events').where('received_at', '<', new Date(now.getTime() - EVENT_MEMORY_MS)).execute();
  // A delivered file lives on in the chat; the copy kept for retries goes a week after it was sent.
  await deps.db
    .deleteFrom('outbox_files')
    .where('outbox_key', 'in', (eb) => eb.selectFrom('outbox').select('key').where('status', '=', 'sent').where('sent_at', '<', new Date(now.getTime() - EVENT_MEMORY_MS)))
    .execute();
  await deps.db
    .insertInto('heartbeats')
    .values({ name: HEARTBEAT, at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ at: now }).where('heartbeats.at', '<', now))
    .execute();
  return { rounds: rounds.length, reminders, flagged: stalls.opened, resolved: stalls.resolved, resent: stalls.resent, escalated: stalls.escalated, digests, ended };
}
