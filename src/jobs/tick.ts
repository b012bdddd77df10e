import type { CoreDeps } from '../core/core.js';
import { enqueueDueDigests } from '../core/digest.js';
import { openDueRounds, sendDueReminders } from '../core/rounds.js';
import { scanStalls } from '../core/stalls/scan.js';

const EVENT_MEMORY_MS = 7 * 86_400_000;

export interface TickSummary {
  rounds: number;
  reminders: number;
  flagged: number;
  resolved: number;
  resent: number;
  escalated: number;
  digests: number;
}

/**
 * Everything the bot does on its own, decided for one moment. Each step writes its messages to the
 * outbox in the same transaction as its state change, so any number of replicas may tick at once.
 */
export async function runTick(deps: CoreDeps, now: Date): Promise<TickSummary> {
  const rounds = await openDueRounds(deps.db, deps.content, now);
  const reminders = await sendDueReminders(deps.db, deps.content, now, deps.reminderAfterHours);
  const stalls = await scanStalls(deps.db, deps.content, now, { admins: deps.admins, reminderAfterHours: deps.reminderAfterHours });
  const digests = await enqueueDueDigests(deps.db, deps.content, now);
  // Platforms retry an event within minutes; a week of ids is plenty to recognise a retry.
  await deps.db.deleteFrom('processed_events').where('received_at', '<', new Date(now.getTime() - EVENT_MEMORY_MS)).execute();
  return { rounds: rounds.length, reminders, flagged: stalls.opened, resolved: stalls.resolved, resent: stalls.resent, escalated: stalls.escalated, digests };
}
