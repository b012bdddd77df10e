import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxTargetKind, Platform } from '../db/types.js';
import type { OutMessage } from './chat.js';
import { outOfQuietHours } from './own-time.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface Outgoing {
  /** Unique idempotency key: the same key is never sent twice, whoever writes it and however often. */
  key: string;
  kind: 'round' | 'round-update' | 'reminder' | 'alert' | 'alert-update' | 'digest' | 'notice' | 'summary' | 'report' | 'evidence' | 'mydata' | 'digest-update' | 'failures';
  platform: Platform;
  /** channel: post in a channel; user: a DM; message: edit the message `targetId` = `${channelId}/${messageId}`. */
  targetKind: OutboxTargetKind;
  targetId: string;
  message: OutMessage;
  availableAt: Date;
  /** The cohort the message is about: what a channel's trouble holds back, whom a failure is reported to. */
  cohortId?: number;
  /** A DM answering the reader's own action (an on-demand report): it goes at once, night or not. */
  immediate?: boolean;
}

/** The DMs the bot starts by itself: they reach their reader in their daytime only (own-time.ts). */
const STARTED_BY_THE_BOT: ReadonlySet<Outgoing['kind']> = new Set(['reminder', 'alert', 'digest', 'notice', 'report', 'failures', 'summary']);

function row(out: Outgoing, zone: string | null) {
  return {
    key: out.key,
    kind: out.kind,
    platform: out.platform,
    target_kind: out.targetKind,
    target_id: out.targetId,
    payload: JSON.stringify(out.message),
    available_at: zone ? outOfQuietHours(out.availableAt, zone) : out.availableAt,
    created_at: out.availableAt,
    cohort_id: out.cohortId ?? null,
    quiet_zone: zone,
  };
}

function startedByTheBot(out: Outgoing): boolean {
  return out.targetKind === 'user' && !out.immediate && STARTED_BY_THE_BOT.has(out.kind);
}

/** Each quiet DM's reader zone: theirs (`/me`, their profile), else their cohort's; none known, none kept. */
async function readerZones(db: Executor, outs: readonly Outgoing[]): Promise<Map<string, string>> {
  const quiet = outs.filter(startedByTheBot);
  const zones = new Map<string, string>();
  if (quiet.length === 0) return zones;
  const cohortIds = [...new Set(quiet.map((o) => o.cohortId).filter((id): id is number => id !== undefined))];
  const [people, cohorts] = await Promise.all([
    db
      .selectFrom('people')
      .select(['platform', 'user_id', 'chosen_tz', 'profile_tz'])
      .where('user_id', 'in', [...new Set(quiet.map((o) => o.targetId))])
      .execute(),
    cohortIds.length > 0 ? db.selectFrom('cohorts').select(['id', 'timezone']).where('id', 'in', cohortIds).execute() : [],
  ]);
  const personZone = new Map(people.map((p) => [`${p.platform}|${p.user_id}`, p.chosen_tz ?? p.profile_tz]));
  const cohortZone = new Map(cohorts.map((c) => [c.id, c.timezone]));
  for (const o of quiet) {
    const zone = personZone.get(`${o.platform}|${o.targetId}`) ?? (o.cohortId !== undefined ? cohortZone.get(o.cohortId) : undefined);
    if (zone) zones.set(o.key, zone);
  }
  return zones;
}

/** Rows per statement: well under Postgres' 65,535 bind parameters, small enough to keep locks short. */
const CHUNK = 500;

/**
 * Writes messages to the outbox. Call it inside the transaction that makes the state change they
 * announce, so the two commit together. Returns the keys written; a key that already exists is
 * left alone, which is what makes sending exactly once.
 */
export async function enqueueMany(db: Executor, outs: readonly Outgoing[]): Promise<Set<string>> {
  const written = new Set<string>();
  const zones = await readerZones(db, outs);
  for (let i = 0; i < outs.length; i += CHUNK) {
    const rows = await db
      .insertInto('outbox')
      .values(outs.slice(i, i + CHUNK).map((o) => row(o, zones.get(o.key) ?? null)))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const r of rows) written.add(r.key);
  }
  return written;
}

/** One message; false when its key already exists. */
export async function enqueue(db: Executor, out: Outgoing): Promise<boolean> {
  return (await enqueueMany(db, [out])).size > 0;
}
