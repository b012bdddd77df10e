import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { alertResponses } from '../core/report/response-times.js';
import type { Db } from '../db/connect.js';
import type { OutboxRow } from '../db/types.js';
import type { RouteHandler } from './server.js';

/**
 * Totals that several replicas share (rounds, check-ins, flags, FAQ, outbox) are read from the
 * database at scrape time, so they agree whichever replica is scraped. What happens inside one
 * process (deliveries, request latency) is counted here.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries: Counter<'kind' | 'outcome'>;
  readonly requestSeconds: Histogram<'route'>;

  constructor(db: Db) {
    const registers = [this.registry];
    // The default collectors already name themselves process_* and nodejs_*.
    collectDefaultMetrics({ register: this.registry, prefix: 'mentorbot_' });
    this.deliveries = new Counter({ name: 'mentorbot_deliveries_total', help: 'Outbox deliveries by message kind and outcome (sent, retried, dead, dropped)', labelNames: ['kind', 'outcome'], registers });
    this.requestSeconds = new Histogram({
      name: 'mentorbot_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route; /slack/events is the event ack latency',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });

    type Reading = Array<{ labels?: Record<string, string>; value: number }>;
    /** A count or level read from the database at scrape time; a counter (`_total`) only ever grows. */
    const fromDb = (kind: 'counter' | 'gauge', name: string, help: string, labelNames: string[], read: () => Promise<Reading>) => {
      const write = (metric: Counter | Gauge, readings: Reading) => {
        for (const { labels, value } of readings) {
          if (metric instanceof Counter) metric.inc(labels ?? {}, value);
          else metric.set(labels ?? {}, value);
        }
      };
      const collect = async function (this: Counter | Gauge) {
        this.reset();
        try {
          write(this, await read());
        } catch {
          // The database being down is reported by /healthz; a scrape still returns the rest.
        }
      };
      return kind === 'counter' ? new Counter({ name, help, labelNames, registers, collect }) : new Gauge({ name, help, labelNames, registers, collect });
    };

    fromDb('counter', 'mentorbot_rounds_posted_total', 'Rounds posted to their channel', [], async () => {
      const r = await db.selectFrom('rounds').select(sql<number>`count(*)::int`.as('n')).where('message_id', 'is not', null).executeTakeFirstOrThrow();
      return [{ value: r.n }];
    });
    fromDb('counter', 'mentorbot_checkins_total', 'Check-ins stored, by how they were given', ['source'], async () => {
      const rows = await db.selectFrom('checkins').select(['source', sql<number>`count(*)::int`.as('n')]).groupBy('source').execute();
      return rows.map((r) => ({ labels: { source: r.source }, value: r.n }));
    });
    fromDb('counter', 'mentorbot_reminders_sent_total', 'Reminder DMs delivered', [], async () => {
      const r = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', 'reminder').where('status', '=', 'sent').executeTakeFirstOrThrow();
      return [{ value: r.n }];
    });
    fromDb('gauge', 'mentorbot_stall_flags', 'Stall flags that are not resolved, by status', ['status'], async () => {
      const rows = await db.selectFrom('stall_flags').select(['status', sql<number>`count(*)::int`.as('n')]).where('status', '<>', 'resolved').groupBy('status').execute();
      return rows.map((r) => ({ labels: { status: r.status }, value: r.n }));
    });
    fromDb('counter', 'mentorbot_faq_questions_total', 'FAQ questions asked, by whether a curated answer was given', ['answered'], async () => {
      const rows = await db.selectFrom('faq_questions').select(['answered', sql<number>`count(*)::int`.as('n')]).groupBy('answered').execute();
      return rows.map((r) => ({ labels: { answered: String(r.answered) }, value: r.n }));
    });
    fromDb('gauge', 'mentorbot_platform_access_lost', 'Platforms whose access is lost (1 while it is): nothing is sent there until a probe finds it back', ['platform', 'cause'], async () => {
      const rows = await db.selectFrom('platform_access').select(['platform', 'cause']).execute();
      return rows.map((r) => ({ labels: { platform: r.platform, cause: r.cause }, value: 1 }));
    });
    fromDb('gauge', 'mentorbot_outbox_depth', 'Messages in the outbox not sent: pending (waiting), dead (could not be delivered) or dropped (no longer meaningful)', ['status'], async () => {
      const rows = await db.selectFrom('outbox').select(['status', sql<number>`count(*)::int`.as('n')]).where('status', '<>', 'sent').groupBy('status').execute();
      const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
      // Both statuses are always exposed, so an empty outbox reads 0 rather than no series at all.
      return ['pending', 'dead', 'dropped'].map((status) => ({ labels: { status }, value: count(status) }));
    });
    fromDb('gauge', 'mentorbot_outbox_oldest_age_seconds', 'Age of the oldest message still waiting to be sent', [], async () => {
      const r = await db
        .selectFrom('outbox')
        .select(sql<number | null>`extract(epoch from (now() - min(created_at)))::float8`.as('age'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return [{ value: Math.max(0, r.age ?? 0) }];
    });
    this.responseHistogram(db);
  }

  /**
   * Time from a stall alert to a mentor's first answer, by cohort, rebuilt from the database at each
   * scrape like the totals above, so every replica reports the same histogram.
   */
  private responseHistogram(db: Db): void {
    const registers = [this.registry];
    new Histogram({
      name: 'mentorbot_alert_response_seconds',
      help: 'Time from a stall alert to its acknowledgement (or resolution) by a mentor, by cohort',
      labelNames: ['cohort'],
      buckets: [900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600, 96 * 3600, 7 * 86400],
      registers,
      async collect() {
        this.reset();
        try {
          const [answers, cohorts] = await Promise.all([alertResponses(db), db.selectFrom('cohorts').select(['id', 'name']).execute()]);
          const names = new Map(cohorts.map((c) => [c.id, c.name]));
          for (const a of answers) this.observe({ cohort: names.get(a.cohortId) ?? String(a.cohortId) }, a.seconds);
        } catch {
          // As above: a database that is down leaves the histogram empty for this scrape.
        }
      },
    });
  }

  onDelivery(row: OutboxRow, outcome: 'sent' | 'retried' | 'dead' | 'dropped'): void {
    this.deliveries.inc({ kind: row.kind, outcome });
  }

  route(): RouteHandler {
    return async (_req, res) => {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
    };
  }
}
