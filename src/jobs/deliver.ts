import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { OutboxRow, Platform } from '../db/types.js';
import { filesOf, type OutFile } from '../core/attachments.js';
import type { AdminId } from '../config.js';
import { AccessLostError, ChannelUnreachableError, PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, type ChatPort, type OutMessage, type SentRef } from '../core/chat.js';
import { channelUnreachable } from '../core/channel-state.js';
import { dropRow, redirectUndeliverable, staleReason } from '../core/held-messages.js';
import { accessLost } from '../core/platform-access.js';
import { sentMarks } from './sent-marks.js';
import { QUIET_FROM_HOUR, QUIET_UNTIL_HOUR } from '../core/own-time.js';

export interface DeliveryOptions {
  workerId: string;
  batchSize?: number;
  /** How long a claim holds; a worker that dies mid-send loses it after this and the row is retried. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Messages sent at once, across different targets; one target always gets its messages in order. */
  concurrency?: number;
  /** Told of every outcome (metrics). */
  onOutcome?: (row: OutboxRow, outcome: 'sent' | 'retried' | 'dead' | 'dropped') => void;
  /** Organizers, told when a channel becomes unusable or a DM has to go elsewhere. */
  admins?: readonly AdminId[];
  /** Told once when a platform's access is found lost (the log line, the metric). */
  onAccessLost?: (platform: Platform, cause: string) => void;
  /** The least time between two edits of one message (a round post's count); 0: no wait. */
  editGapMs?: number;
}

export interface DeliveryResult {
  sent: number;
  retried: number;
  dead: number;
  /** Held back and no longer meaningful when they could go (a reminder for a closed round). */
  dropped?: number;
}

/** A message that waited this long is looked at before it goes: it may no longer make sense. */
const HELD_AFTER_MS = 10 * 60_000;

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;

export function backoffMs(attempt: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_MS);
}

/**
 * Claims due rows with FOR UPDATE SKIP LOCKED so concurrent workers never take the same row: one
 * statement (a pass that finds nothing, which most passes do, costs one round trip).
 */
export async function claimDue(
  db: Db,
  platforms: Platform[],
  now: Date,
  opts: Required<Pick<DeliveryOptions, 'workerId' | 'batchSize' | 'leaseMs'>> & Pick<DeliveryOptions, 'editGapMs'>,
): Promise<OutboxRow[]> {
  if (platforms.length === 0) return [];
  const editGapMs = opts.editGapMs ?? 0;
  const rows = await db
    .with('due', (qb) =>
      qb
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('available_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .where('platform', 'in', platforms)
        // A platform whose access was revoked holds everything; an unusable channel holds what goes there.
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('platform_access').select('platform_access.platform').whereRef('platform_access.platform', '=', 'outbox.platform'))))
        .where(({ or, eb, not, exists, selectFrom }) =>
          or([
            eb('target_kind', '=', 'user'),
            eb('cohort_id', 'is', null),
            not(exists(selectFrom('cohorts').select('cohorts.id').whereRef('cohorts.id', '=', 'outbox.cohort_id').where('cohorts.unreachable_at', 'is not', null))),
          ]),
        )
        // A DM the bot started waits for its reader's daytime, however late it can go.
        .where((eb) => eb.or([eb('quiet_zone', 'is', null), sql<boolean>`extract(hour from (${now}::timestamptz at time zone outbox.quiet_zone)) between ${QUIET_UNTIL_HOUR} and ${QUIET_FROM_HOUR - 1}`]))
        // A target another worker is sending to stays with it, so one channel is paced by one worker.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('outbox as busy')
                .select('busy.id')
                .whereRef('busy.target_id', '=', 'outbox.target_id')
                .where('busy.status', '=', 'pending')
                .where('busy.claimed_until', '>=', now)
                .where('busy.claimed_by', '<>', opts.workerId),
            ),
          ),
        )
        // An edit of a message edited moments ago waits out the gap; meanwhile later changes fold into
        // it (record_click rewrites a pending edit nobody claimed), so a burst makes one edit.
        .$if(editGapMs > 0, (q) =>
          q.where(({ or, eb, not, exists, selectFrom }) =>
            or([
              eb('target_kind', '<>', 'message'),
              not(
                exists(
                  selectFrom('outbox as edited')
                    .select('edited.id')
                    .whereRef('edited.target_id', '=', 'outbox.target_id')
                    .where('edited.target_kind', '=', 'message')
                    .where('edited.status', '=', 'sent')
                    .where('edited.sent_at', '>', new Date(now.getTime() - editGapMs)),
                ),
              ),
            ]),
          ),
        )
        .orderBy('available_at')
        .orderBy('id')
        .limit(opts.batchSize)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('outbox')
    .from('due')
    .set({ claimed_by: opts.workerId, claimed_until: new Date(now.getTime() + opts.leaseMs), attempts: sql`outbox.attempts + 1` })
    .whereRef('outbox.id', '=', 'due.id')
    .returningAll('outbox')
    .execute();
  // RETURNING has no order; a target's messages go out in the order they were queued.
  return rows.sort((a, b) => new Date(a.available_at).getTime() - new Date(b.available_at).getTime() || Number(a.id) - Number(b.id));
}

async function sendOne(db: Db, port: ChatPort, row: OutboxRow, files: readonly OutFile[]): Promise<SentRef | 'skip' | 'wait'> {
  const message = row.payload as OutMessage;
  switch (row.target_kind) {
    case 'channel':
    case 'user': {
      // A previous attempt may have delivered before its worker died; look before sending again.
      if (row.attempts > 1 && port.findSent) {
        const found = await port.findSent(row.target_kind, row.target_id, row.key);
        if (found) {
          if (files.length > 0) await port.completeFiles?.(found, files, row.key);
          return found;
        }
      }
      return row.target_kind === 'channel' ? port.postToChannel(row.target_id, message, row.key, files) : port.sendDirect(row.target_id, message, row.key, files);
    }
    case 'reply': {
      const parent = await resolveMessageTarget(db, row.target_id);
      if (parent === 'gone') return 'skip';
      if (!parent) return 'wait';
      if (!port.postReply) return port.postToChannel(parent.channelId, message, row.key);
      return port.postReply(parent.channelId, parent.messageId, message, row.key);
    }
    case 'message': {
      if (row.kind === 'round-update' || row.kind === 'alert-update') {
        const newer = await db
          .selectFrom('outbox')
          .select('id')
          .where('kind', '=', row.kind)
          .where('target_id', '=', row.target_id)
          .where('id', '>', row.id)
          .executeTakeFirst();
        if (newer) return 'skip';
      }
      const ref = await resolveMessageTarget(db, row.target_id);
      if (ref === 'gone') return 'skip';
      if (!ref) return 'wait';
      await port.updateMessage(ref.channelId, ref.messageId, message, files);
      return { messageId: ref.messageId, channelId: ref.channelId };
    }
  }
}

/**
 * `round:<id>` targets the round's post once it is known; `sent:<key>` the message the outbox row
 * with that key became, once it is sent ('gone' when it never will be); `<channel>/<message>` is literal.
 */
async function resolveMessageTarget(db: Db, target: string): Promise<{ channelId: string; messageId: string } | 'gone' | null> {
  const round = /^round:(\d+)$/.exec(target);
  if (round) {
    const r = await db.selectFrom('rounds').select(['channel_id', 'message_id']).where('id', '=', Number(round[1])).executeTakeFirst();
    return r?.message_id ? { channelId: r.channel_id, messageId: r.message_id } : null;
  }
  if (target.startsWith('sent:')) {
    const r = await db
      .selectFrom('outbox')
      .select(['status', 'target_id', 'platform_channel_id', 'platform_message_id'])
      .where('key', '=', target.slice('sent:'.length))
      .executeTakeFirst();
    if (!r || r.status === 'dead' || r.status === 'dropped' || (r.status === 'sent' && !r.platform_message_id)) return 'gone';
    if (r.status !== 'sent') return null;
    return { channelId: r.platform_channel_id ?? r.target_id, messageId: r.platform_message_id! };
  }
  const [channelId, messageId] = target.split('/');
  return channelId && messageId ? { channelId, messageId } : null;
}

/** `notBefore`, or later: when the message an edit targets is due, so the edit follows it in that pass. */
async function afterOriginal(db: Db, row: OutboxRow, notBefore: Date): Promise<Date> {
  if (!row.target_id.startsWith('sent:')) return notBefore;
  const original = await db.selectFrom('outbox').select('available_at').where('key', '=', row.target_id.slice('sent:'.length)).executeTakeFirst();
  const due = original ? new Date(original.available_at) : notBefore;
  return due > notBefore ? due : notBefore;
}

/** An alert's clocks (re-send, escalation) start when it reached someone, not when it was queued. */
async function markAlertSent(db: Db, row: OutboxRow, ref: SentRef, alert: RegExpExecArray, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: now, platform_message_id: ref.messageId, platform_channel_id: ref.channelId ?? null, claimed_until: null, last_error: null })
      .where('id', '=', row.id)
      .execute();
    const column = alert[2] ? 'resend_alerted_at' : 'alerted_at';
    await trx.updateTable('stall_flags').set({ [column]: now }).where('id', '=', Number(alert[1])).where(column, 'is', null).execute();
  });
}

async function reschedule(db: Db, row: OutboxRow, at: Date, error: string | null, refundAttempt: boolean): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      available_at: at,
      claimed_until: null,
      claimed_by: null,
      last_error: error,
      ...(refundAttempt ? { attempts: sql<number>`greatest(attempts - 1, 0)` } : {}),
    })
    .where('id', '=', row.id)
    .execute();
}

async function markDead(db: Db, row: OutboxRow, error: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'dead', claimed_until: null, last_error: error }).where('id', '=', row.id).execute();
}

/** The channel a row posts in or edits, for the cohort it would make unreachable. */
async function channelOf(db: Db, row: OutboxRow): Promise<string | null> {
  if (row.target_kind === 'channel') return row.target_id;
  if (row.target_kind === 'user') return null;
  const ref = await resolveMessageTarget(db, row.target_id);
  return ref && ref !== 'gone' ? ref.channelId : null;
}

/**
 * A send is mostly waiting on the platform (tens to hundreds of ms on Slack or Discord, under 1 ms on
 * the bench's local fake), so what bounds a fan-out is how many are in flight and how often a pass
 * stops to claim. bench/fanout.ts, 1,000 round posts, two workers, on a quiet 2-core machine: batch
 * 100 × 8 in flight ran at about 720 posts/s, 500 × 64 at about 1,200/s (a plain loop of Web API
 * calls: about 1,180/s). Under load (load average 5–10) every setting is CPU-bound at 250–400/s, and
 * neither 1,000 × 64 nor 500 × 128 beat 500 × 64. Against the real Slack, 64 in flight at ~150 ms
 * each is some 400 posts/s, still one at a time per channel (targetIntervalMs); discord.js queues
 * what its global limit does not allow yet. A claim holds its rows for leaseMs; a row whose turn
 * comes later than that goes back unsent (see the lease check in `work`).
 */
export const DELIVERY_DEFAULTS = { batchSize: 500, concurrency: 64, leaseMs: 60_000, maxAttempts: 8 } as const;

/**
 * A running bot edits a round post's count at most this often. Every first answer changes the count;
 * three hundred clicks a second across a hundred posts made as many chat.update calls (Slack allows
 * a workspace about fifty a minute), each also a claim and a mark here. With the gap, the answers of
 * the next two seconds fold into one edit, which still shows every one of them.
 */
export const POST_EDIT_GAP_MS = 2_000;

/** A row is only sent while its claim has at least this long to run, so no other worker can have taken it. */
const LEASE_MARGIN_MS = 5_000;

/** One pass: claim what is due, send it through each platform's port, record the outcome. */
export async function deliverDue(db: Db, ports: ReadonlyMap<Platform, ChatPort>, now: Date, options: DeliveryOptions): Promise<DeliveryResult> {
  const opts = { ...DELIVERY_DEFAULTS, ...options };
  const claimedAt = Date.now();
  const rows = await claimDue(db, [...ports.keys()], now, opts);
  const marks = sentMarks(db, now);
  const files = await filesOf(db, rows.map((r) => r.key));
  const counts: DeliveryResult = { sent: 0, retried: 0, dead: 0 };
  const count = (row: OutboxRow, outcome: 'sent' | 'retried' | 'dead' | 'dropped') => {
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    opts.onOutcome?.(row, outcome);
  };
  // Platforms found without access in this pass: the rest of their rows go back to wait, unsent.
  const lostHere = new Set<Platform>();
  const holdBack = async (row: OutboxRow, why: string) => {
    await reschedule(db, row, new Date(now.getTime() + RETRY_BASE_MS), why, true);
    count(row, 'retried');
  };

  const byTarget = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const k = `${row.platform}:${row.target_kind}:${row.target_id}`;
    if (!byTarget.has(k)) byTarget.set(k, []);
    byTarget.get(k)!.push(row);
  }
  const queues = [...byTarget.values()];

  // At most `concurrency` sends at once; a queue pausing between posts to one channel holds no slot.
  let free = opts.concurrency;
  const waiting: Array<() => void> = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };

  const work = async (queue: OutboxRow[]) => {
    let lastSend = 0;
    for (let i = 0; i < queue.length; i++) {
      const row = queue[i]!;
      const port = ports.get(row.platform)!;
      const spacing = row.target_kind === 'message' ? 0 : (port.targetIntervalMs ?? 0);
      if (i > 0 && spacing > 0) await sleep(lastSend + spacing - Date.now());
      if (lostHere.has(row.platform)) {
        await holdBack(row, 'waiting: access to the platform is lost');
        continue;
      }
      await acquire();
      // A long queue to one paced channel can outlast the claim; once it ran out, another worker may
      // have claimed the row, and sending it here too could post it twice. What is left goes back.
      if (Date.now() - claimedAt > opts.leaseMs - LEASE_MARGIN_MS) {
        release();
        for (const later of queue.slice(i)) await holdBack(later, 'the claim ran out before its turn');
        return;
      }
      try {
        if (now.getTime() - new Date(row.created_at).getTime() > HELD_AFTER_MS) {
          const stale = await staleReason(db, row);
          if (stale) {
            await dropRow(db, row, stale);
            count(row, 'dropped');
            continue;
          }
        }
        // The pace counts from the platform's answer, so a send that was slow to leave (a busy
        // process) cannot arrive within the pace of the one before it.
        const outcome = await sendOne(db, port, row, files.get(row.key) ?? []).finally(() => (lastSend = Date.now()));
        if (outcome === 'wait') {
          // An edit of a message still waiting (for its reader's day, say) goes right after it.
          await reschedule(db, row, await afterOriginal(db, row, new Date(now.getTime() + RETRY_BASE_MS)), 'message to update is not posted yet', true);
          count(row, 'retried');
        } else {
          const ref = outcome === 'skip' ? null : outcome;
          const alert = row.kind === 'alert' && ref ? /^alert:(\d+)(:resend)?(?::|$)/.exec(row.key) : null;
          if (alert && ref) await markAlertSent(db, row, ref, alert, now);
          else marks.add(row, ref);
          count(row, 'sent');
        }
      } catch (err) {
        if (err instanceof RateLimitedError) {
          // The rest of this target's queue would hit the same limit: put all of it back.
          for (const later of queue.slice(i)) {
            // From now, not from the start of a pass that may have been pacing for seconds.
            await reschedule(db, later, new Date(now.getTime() + (Date.now() - claimedAt) + err.retryAfterMs), err.message, true);
            count(later, 'retried');
          }
          return;
        }
        if (err instanceof AccessLostError) {
          // Nothing can be sent there now: hold this row and the rest, never spend their attempts.
          lostHere.add(row.platform);
          if (await accessLost(db, row.platform, err.why, now)) opts.onAccessLost?.(row.platform, err.why);
          for (const later of queue.slice(i)) await holdBack(later, err.message);
          return;
        }
        if (err instanceof ChannelUnreachableError) {
          const channel = await channelOf(db, row);
          if (channel) await channelUnreachable(db, opts.admins ?? [], { platform: row.platform, channelId: channel, trouble: err.reason }, now);
          if (channel && row.cohort_id !== null) await holdBack(row, err.message);
          else {
            await markDead(db, row, err.message);
            count(row, 'dead');
          }
          continue;
        }
        if (err instanceof RecipientUnreachableError) {
          await redirectUndeliverable(db, opts.admins ?? [], row, err.message, now);
          count(row, 'dead');
          continue;
        }
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof PermanentDeliveryError || row.attempts >= opts.maxAttempts) {
          await markDead(db, row, message);
          count(row, 'dead');
        } else {
          await reschedule(db, row, new Date(now.getTime() + backoffMs(row.attempts)), message, false);
          count(row, 'retried');
        }
      } finally {
        release();
      }
    }
  };

  try {
    await Promise.all(queues.map(work));
  } finally {
    await marks.flush();
  }
  return counts;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
