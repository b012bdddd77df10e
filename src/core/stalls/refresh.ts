import type { Db } from '../../db/connect.js';
import type { OutMessage } from '../chat.js';
import { stallAlertForReaders } from '../messages/stalls.js';
import type { Outgoing } from '../outbox.js';
import { alertViewOf, HISTORY_SIZE, loadFlagCard, type FlagCard } from './load.js';

export interface AlertRefresh {
  card: FlagCard;
  /** The alert as it reads now: what the clicked message and every sent copy become. */
  message: OutMessage;
  /** The same in a reader's zone (the clicker's, for the message they see change). */
  inReaderZone: (zone: string) => OutMessage;
  /** One edit per alert DM sent about the flag. */
  edits: Outgoing[];
}

/**
 * Edits for every alert DM sent about a flag, so none of them still offers "Acknowledge" after
 * the flag was acknowledged or resolved elsewhere: from `/stalled`, by another organizer, or
 * automatically, or when its reasons change. Keyed by the flag's state and version, so each change
 * is written to each message once.
 */
export async function refreshAlerts(db: Db, flagId: number, now: Date, options: { exceptMessageId?: string } = {}): Promise<AlertRefresh | null> {
  const card = await loadFlagCard(db, flagId);
  if (!card) return null;
  const alerts = await db
    .selectFrom('outbox')
    .select(['key', 'platform_message_id'])
    .where('kind', '=', 'alert')
    .where((eb) => eb.or([eb('key', '=', `alert:${flagId}`), eb('key', 'like', `alert:${flagId}:%`)]))
    .where('status', '<>', 'dead')
    .execute();
  const { message, inReaderZone } = stallAlertForReaders(await alertViewOf(db, card, HISTORY_SIZE));
  const edits = alerts
    .filter((a) => options.exceptMessageId === undefined || a.platform_message_id !== options.exceptMessageId)
    .map(({ key }) => ({
    key: `alert-update:${key}:${card.status}:v${card.version}`,
    kind: 'alert-update' as const,
    platform: card.platform,
    targetKind: 'message' as const,
    targetId: `sent:${key}`,
    message,
    // Each copy keeps its reader's zone (outbox.ts finds them through the DM edited).
    inReaderZone,
    availableAt: now,
  }));
  return { card, message, inReaderZone, edits };
}
