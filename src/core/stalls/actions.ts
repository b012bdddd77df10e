import { ownTimes } from '../own-time.js';
import type { Transaction } from 'kysely';
import type { AdminId } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { AuditVia, Database } from '../../db/types.js';
import type { Actor, OutMessage, Reply } from '../chat.js';
import {
  flagAcknowledgedNotice,
  flagAlreadyAcknowledgedNotice,
  flagAlreadyResolvedNotice,
  flagGoneMessage,
  flagNotAllowedMessage,
  flagResolvedNotice,
  stallAlert,
  type FlagVerb,
} from '../messages/stalls.js';
import { transact } from '../../db/transact.js';
import { enqueueMany } from '../outbox.js';
import { alertViewOf, HISTORY_SIZE, loadFlagCard, type FlagCard } from './load.js';
import { permits, standingIn } from '../permissions.js';
import { refreshAlerts } from './refresh.js';
import { recordAudit } from '../audit.js';

export interface FlagActionOptions {
  /** ADMIN_USER_IDS, on top of `actor.isAdmin`. */
  admins?: readonly AdminId[];
  /** The alert message the button sat on: the reply updates it, so the outbox leaves it alone. */
  clickedMessageId?: string;
  /** Where the person acted, for the audit record (chat unless said). */
  via?: AuditVia;
}

/** The `Acknowledge` button: the mentor says they have seen the alert and are on it. */
export function acknowledgeFlag(db: Db, flagId: number, actor: Actor, now: Date, options: FlagActionOptions = {}): Promise<Reply> {
  return act(db, flagId, actor, now, options, 'acknowledge');
}

/** The `Resolve` button: the mentor closes the flag. */
export function resolveFlag(db: Db, flagId: number, actor: Actor, now: Date, options: FlagActionOptions = {}): Promise<Reply> {
  return act(db, flagId, actor, now, options, 'resolve');
}

async function render(db: Db, card: FlagCard, notice: OutMessage): Promise<Reply> {
  return { kind: 'update', message: stallAlert(await alertViewOf(db, card, HISTORY_SIZE)), notice };
}

function alreadyDone(card: FlagCard): OutMessage | null {
  if (card.status === 'resolved') {
    return flagAlreadyResolvedNotice(card.learnerName, card.resolvedBy, card.resolvedAt ?? new Date(0), card.timezone, card.resolution === 'auto');
  }
  return null;
}

/**
 * A flag's state change, committed with the edits that bring every alert about it up to date;
 * null when someone else changed it first. The refreshed alert is also what the clicker sees.
 */
function changeAndRefresh(
  db: Db,
  flagId: number,
  now: Date,
  except: string | undefined,
  change: (trx: Transaction<Database>) => Promise<{ id: number } | undefined>,
  onRecord: { actor: Actor; verb: FlagVerb; card: FlagCard; via?: AuditVia },
) {
  return transact(db, async (trx) => {
    if (!(await change(trx))) return null;
    const { actor, verb, card, via } = onRecord;
    await recordAudit(trx, {
      at: now,
      actor,
      action: verb === 'acknowledge' ? 'flag.acknowledge' : 'flag.resolve',
      cohort: { id: card.cohortId, name: card.cohortName },
      subject: card.learnerName,
      subjectMemberId: card.memberId,
      detail: `flag ${card.id}`,
      via,
    });
    const refreshed = await refreshAlerts(trx, flagId, now, { exceptMessageId: except });
    if (!refreshed) return null;
    await enqueueMany(trx, refreshed.edits);
    // The clicker sees their copy change in their own zone, as the other copies are edited in theirs.
    const zone = (await ownTimes(trx, actor.platform, [actor.userId], card.timezone)).get(actor.userId)!.zone;
    return { ...refreshed, message: refreshed.inReaderZone(zone) };
  });
}

async function act(db: Db, flagId: number, actor: Actor, now: Date, options: FlagActionOptions, verb: FlagVerb): Promise<Reply> {
  let card = await loadFlagCard(db, flagId);
  if (!card) return { kind: 'message', message: flagGoneMessage() };
  const standing = await standingIn(db, options.admins ?? [], actor, { id: card.cohortId, platform: card.platform });
  if (!permits(standing, 'act-on-flags')) {
    return { kind: 'message', message: flagNotAllowedMessage(verb, card.cohortName, standing.member?.role === 'learner' ? 'learner' : 'none') };
  }

  const resolved = alreadyDone(card);
  if (resolved) return render(db, card, resolved);
  const id = card.id;

  if (verb === 'acknowledge') {
    if (card.status === 'acknowledged') {
      return render(db, card, flagAlreadyAcknowledgedNotice(card.learnerName, card.acknowledgedBy ?? 'a mentor', card.acknowledgedAt ?? now, card.timezone));
    }
    const done = await changeAndRefresh(db, id, now, options.clickedMessageId, (trx) =>
      trx
        .updateTable('stall_flags')
        .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor.displayName })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .returning('id')
        .executeTakeFirst(),
      { actor, verb, card, via: options.via },
    );
    if (done) return { kind: 'update', message: done.message, notice: flagAcknowledgedNotice(done.card.learnerName) };
    card = (await loadFlagCard(db, card.id))!;
    // Someone else acted between our read and our write.
    return render(
      db,
      card,
      alreadyDone(card) ?? flagAlreadyAcknowledgedNotice(card.learnerName, card.acknowledgedBy ?? 'a mentor', card.acknowledgedAt ?? now, card.timezone),
    );
  }

  const done = await changeAndRefresh(db, id, now, options.clickedMessageId, (trx) =>
    trx
      .updateTable('stall_flags')
      .set({ status: 'resolved', resolution: 'mentor', resolved_at: now, resolved_by: actor.displayName })
      .where('id', '=', id)
      .where('status', '<>', 'resolved')
      .returning('id')
      .executeTakeFirst(),
    { actor, verb, card, via: options.via },
  );
  if (done) return { kind: 'update', message: done.message, notice: flagResolvedNotice(done.card.learnerName) };
  card = (await loadFlagCard(db, card.id))!;
  return render(db, card, alreadyDone(card)!);
}
