import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Every statement that writes outbox rows sends a notification on `mentorbot_outbox` when its
// transaction commits, so delivery workers wake at once instead of at their next poll. It is a
// wake-up hint and nothing more: the workers still claim rows with SKIP LOCKED, and a lost
// notification costs at most one poll interval. Postgres folds identical notifications of one
// transaction into one, so a tick writing thousands of rows sends one per commit. The payload is the
// table's schema: channels are per database, and a listener ignores writes to another schema's outbox.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function outbox_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('mentorbot_outbox', tg_table_schema);
      return null;
    end
    $$`.execute(db);
  await sql`create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists outbox_notify on outbox`.execute(db);
  await sql`drop function if exists outbox_notify()`.execute(db);
}
