import type { Db } from '../../db/connect.js';
import { stallAlert } from '../messages/stalls.js';
import type { Outgoing } from '../outbox.js';
import { alertViewOf, HISTORY_SIZE, loadFlagCard } from './load.js';

/**
 * Edits for every alert DM sent about a flag, so none of them still offers "Acknowledge" after
 * the flag was acknowledged or resolved elsewhere: from `/stalled`, by another organizer, or
 * automatically. Keyed by the flag's new state, so each state is written to each message once.
 */
export async function alertRefreshes(db: Db, flagId: number, now: Date): Promise<Outgoing[]> {
  const card = await loadFlagCard(db, flagId);
  if (!card) return [];
  const alerts = await db
    .selectFrom('outbox')
    .select('key')
    .where('kind', '=', 'alert')
    .where((eb) => eb.or([eb('key', '=', `alert:${flagId}`), eb('key', 'like', `alert:${flagId}:%`)]))
    .where('status', '<>', 'dead')
    .execute();
  if (alerts.length === 0) return [];
  const message = stallAlert(await alertViewOf(db, card, HISTORY_SIZE));
  return alerts.map(({ key }) => ({
    key: `alert-update:${key}:${card.status}`,
    kind: 'alert-update' as const,
    platform: card.platform,
    targetKind: 'message' as const,
    targetId: `sent:${key}`,
    message,
    availableAt: now,
  }));
}
