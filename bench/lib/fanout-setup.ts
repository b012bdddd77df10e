import { sql } from 'kysely';
import type { Content } from '../../src/content/types.js';
import type { ChatPort } from '../../src/core/chat.js';
import { Clock } from '../../src/core/clock.js';
import type { CoreDeps } from '../../src/core/core.js';
import { createCore } from '../../src/core/create-core.js';
import { createFaqEngine } from '../../src/core/faq/engine.js';
import { roundPost } from '../../src/core/messages/rounds.js';
import { enqueue } from '../../src/core/outbox.js';
import type { Db, DbHandle } from '../../src/db/connect.js';
import type { Platform } from '../../src/db/types.js';
import { HttpServer } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { createSlackPlatform } from '../../src/platforms/slack/index.js';
import { SIGNING_SECRET } from '../../test/helpers/slack-requests.js';
import type { BenchDb } from './db.js';
import type { SlackSide } from './slack-side.js';

/** Cohorts due now, an outbox backlog, and bot replicas that post through the real Slack port. */

export const PROGRAM = 'ds-to-mle';
export const BOT_TOKEN = 'xoxb-bench-token';

export interface Replica {
  db: Db;
  /** What the replica hears outbox writes on (its own connection on Postgres). */
  handle: DbHandle;
  deps: CoreDeps;
  ports: Map<Platform, ChatPort>;
}

const DAY_MS = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoWeekday = (d: Date) => ((d.getUTCDay() + 6) % 7) + 1;

/** `n` cohorts in distinct channels whose first slot is this minute (UTC), with 1–3 learners each. */
export async function seedDueCohorts(db: Db, n: number, now: Date): Promise<void> {
  await sql`
    insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
    select 'fanout-' || i, 'slack', 'CF' || lpad(i::text, 5, '0'), ${PROGRAM}, ${isoDate(now)}, ${isoWeekday(now)}, ${now.toISOString().slice(11, 16)}, 'UTC', 'U0ORGANIZER', ${now}
    from generate_series(1, ${n}) i`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'UF' || c.id || 'L' || j, 'Learner ' || c.id || '-' || j, 'learner', ${now}
    from cohorts c cross join lateral generate_series(1, 1 + c.id % 3) j`.execute(db);
}

/**
 * `channels` cohorts with `weeks` rounds each, the latest opened today, every round's post waiting
 * in the outbox: what the tick writes, `weeks` times over, so one channel has `weeks` posts due at once.
 */
export async function seedBacklog(db: Db, content: Content, channels: number, weeks: number, now: Date): Promise<void> {
  const program = content.programs.get(PROGRAM)!;
  const start = new Date(Date.parse(`${isoDate(now)}T00:00:00Z`) - (weeks - 1) * 7 * DAY_MS);
  for (let c = 1; c <= channels; c++) {
    const cohort = await db
      .insertInto('cohorts')
      .values({
        name: `backlog-${c}`,
        platform: 'slack',
        channel_id: `CB${String(c).padStart(4, '0')}`,
        program_id: PROGRAM,
        start_date: isoDate(start),
        weekday: isoWeekday(start),
        slot_time: '00:00',
        timezone: 'UTC',
        created_by: 'U0ORGANIZER',
      })
      .returning(['id', 'channel_id'])
      .executeTakeFirstOrThrow();
    for (let week = 1; week <= weeks; week++) {
      const opens = new Date(start.getTime() + (week - 1) * 7 * DAY_MS);
      const milestoneId = program.weeks[week - 1]!.milestoneId;
      await db.transaction().execute(async (trx) => {
        const round = await trx
          .insertInto('rounds')
          .values({ cohort_id: cohort.id, week, milestone_id: milestoneId, local_date: isoDate(opens), opens_at: opens, created_at: now, channel_id: cohort.channel_id })
          .returning('id')
          .executeTakeFirstOrThrow();
        await enqueue(trx, {
          key: `round:${round.id}`,
          kind: 'round',
          platform: 'slack',
          targetKind: 'channel',
          targetId: cohort.channel_id,
          message: roundPost({ program, roundId: round.id, week, milestoneId, count: '0 of 0 checked in' }),
          availableAt: now,
        });
      });
    }
  }
}

export async function makeReplicas(bdb: BenchDb, content: Content, slack: SlackSide, n: number, log: Logger): Promise<Replica[]> {
  const faq = createFaqEngine(content.faq, content.thesaurus);
  const replicas: Replica[] = [];
  for (let i = 0; i < n; i++) {
    const handle = i === 0 ? bdb.handle : await bdb.openAgain();
    const db = handle.db;
    const deps: CoreDeps = { db, content, faq, clock: new Clock(), reminderAfterHours: 24, admins: [] };
    const platform = await createSlackPlatform({
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl },
      adminIds: [],
      core: createCore(deps),
      db,
      http: new HttpServer(log),
      log,
    });
    replicas.push({ db, handle, deps, ports: new Map([['slack', platform.port]]) });
  }
  return replicas;
}
