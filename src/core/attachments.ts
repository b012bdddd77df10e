import { enqueueMany, type Executor, type Outgoing } from './outbox.js';

/**
 * Files carried by outbox messages. Any message may carry one or more; each platform's port
 * delivers them with the message (Slack: uploaded into the message's thread; Discord: attached to
 * the message; terminal: written under DATA_DIR). They share the message's key, so they are sent
 * once, retried with it, and never doubled.
 */
export interface OutFile {
  /** The file name the recipient sees, e.g. `spring-week-03.png`. */
  name: string;
  /** MIME type, e.g. `image/png`, `text/csv`, `application/json`. */
  contentType: string;
  bytes: Uint8Array;
}

export type OutgoingWithFiles = Outgoing & { files: readonly OutFile[] };

/**
 * Queues messages with their files, like `enqueueMany`: a key already queued is left alone (and
 * its files with it). Call inside the transaction that makes the change the messages announce;
 * given no transaction, it opens its own.
 * Returns the keys written.
 */
export async function enqueueWithFiles(db: Executor, outs: readonly OutgoingWithFiles[]): Promise<Set<string>> {
  // A message must never be claimable without its files: outside a transaction, open one.
  if (!db.isTransaction) return db.transaction().execute((trx) => enqueueWithFiles(trx, outs));
  const written = await enqueueMany(db, outs);
  const rows = outs
    .filter((o) => written.has(o.key))
    .flatMap((o) => o.files.map((f, position) => ({ outbox_key: o.key, position, name: f.name, content_type: f.contentType, bytes: f.bytes })));
  // One file per statement keeps each bind small whatever the files weigh.
  for (const row of rows) await db.insertInto('outbox_files').values(row).execute();
  return written;
}

/** The files of these outbox messages, by key, in order; messages without files are absent. */
export async function filesOf(db: Executor, keys: readonly string[]): Promise<Map<string, OutFile[]>> {
  const out = new Map<string, OutFile[]>();
  if (keys.length === 0) return out;
  const rows = await db.selectFrom('outbox_files').selectAll().where('outbox_key', 'in', keys).orderBy('outbox_key').orderBy('position').execute();
  for (const r of rows) {
    const list = out.get(r.outbox_key) ?? [];
    list.push({ name: r.name, contentType: r.content_type, bytes: new Uint8Array(r.bytes) });
    out.set(r.outbox_key, list);
  }
  return out;
}
