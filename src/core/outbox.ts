import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxTargetKind, Platform } from '../db/types.js';
import type { OutMessage } from './chat.js';
import { outOfQuietHours, ownTimeOf, peopleOf, type PersonTime } from './own-time.js';

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
  /** The message as its reader should read it, times in their own zone (`message` when none is known). */
  inReaderZone?: (zone: string) => OutMessage;
}

/** The DMs the bot starts by itself: they reach their reader in their daytime only (own-time.ts). */
const STARTED_BY_THE_BOT: ReadonlySet<Outgoing['kind']> = new Set(['reminder', 'alert', 'digest', 'notice', 'report', 'failures', 'summary']);

function row(out: Outgoing, zone: string | null, quiet: boolean) {
  return {
    key: out.key,
    kind: out.kind,
    platform: out.platform,
    target_kind: out.targetKind,
    target_id: out.targetId,
    payload: JSON.stringify(zone && out.inReaderZone ? out.inReaderZone(zone) : out.message),
    available_at: quiet && zone ? outOfQuietHours(out.availableAt, zone) : out.availableAt,
    created_at: out.availableAt,
    cohort_id: out.cohortId ?? null,
    quiet_zone: quiet ? zone : null,
  };
}

function startedByTheBot(out: Outgoing): boolean {
  return out.targetKind === 'user' && !out.immediate && STARTED_BY_THE_BOT.has(out.kind);
}

/**
 * The zone of each message's reader, where it matters: a DM the bot starts (quiet hours), and a
 * message written for its reader's zone (an edit of a DM finds its reader through the DM it edits).
 * Theirs (`/me`, their profile), else their cohort's; none known, none kept.
 */
async function readerZones(db: Executor, outs: readonly Outgoing[]): Promise<Map<string, string>> {
  const zones = new Map<string, string>();
  const wanted = outs.filter((o) => startedByTheBot(o) || o.inReaderZone !== undefined);
  if (wanted.length === 0) return zones;
  // An edit's reader is whoever the DM it edits went to.
  const edited = wanted.filter((o) => o.targetKind === 'message' && o.targetId.startsWith('sent:')).map((o) => o.targetId.slice('sent:'.length));
  const originals = edited.length > 0 ? await db.selectFrom('outbox').select(['key', 'target_id', 'target_kind', 'cohort_id']).where('key', 'in', edited).execute() : [];
  const originalOf = new Map(originals.filter((r) => r.target_kind === 'user').map((r) => [r.key, r]));
  const reader = (o: Outgoing): { userId: string; cohortId: number | undefined } | null => {
    if (o.targetKind === 'user') return { userId: o.targetId, cohortId: o.cohortId };
    const original = o.targetKind === 'message' ? originalOf.get(o.targetId.slice('sent:'.length)) : undefined;
    return original ? { userId: original.target_id, cohortId: original.cohort_id ?? o.cohortId } : null;
  };
  const readers = wanted.map((o) => [o, reader(o)] as const).filter((x): x is readonly [Outgoing, { userId: string; cohortId: number | undefined }] => x[1] !== null);
  if (readers.length === 0) return zones;
  const cohortIds = [...new Set(readers.map(([, r]) => r.cohortId).filter((id): id is number => id !== undefined))];
  const cohorts = cohortIds.length > 0 ? await db.selectFrom('cohorts').select(['id', 'timezone']).where('id', 'in', cohortIds).execute() : [];
  const cohortZone = new Map(cohorts.map((c) => [c.id, c.timezone]));
  const people = new Map<Platform, Map<string, PersonTime>>();
  for (const platform of new Set(readers.map(([o]) => o.platform))) {
    people.set(platform, await peopleOf(db, platform, readers.filter(([o]) => o.platform === platform).map(([, r]) => r.userId)));
  }
  for (const [o, r] of readers) {
    const own = ownTimeOf(people.get(o.platform)!.get(r.userId), (r.cohortId !== undefined ? cohortZone.get(r.cohortId) : undefined) ?? null);
    if (own.source !== 'default') zones.set(o.key, own.zone);
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
      .values(outs.slice(i, i + CHUNK).map((o) => row(o, zones.get(o.key) ?? null, startedByTheBot(o))))
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
