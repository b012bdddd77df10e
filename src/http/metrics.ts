import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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
    collectDefaultMetrics({ register: this.registry, prefix: 'mentorbot_process_' });
    this.deliveries = new Counter({ name: 'mentorbot_deliveries_total', help: 'Outbox deliveries by message kind and outcome (sent, retried, dead)', labelNames: ['kind', 'outcome'], registers });
    this.requestSeconds = new Histogram({
      name: 'mentorbot_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route; /slack/events is the event ack latency',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });

    const fromDb = (name: string, help: string, labelNames: string[], read: () => Promise<Array<{ labels?: Record<string, string>; value: number }>>) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          try {
            for (const { labels, value } of await read()) {
              if (labels) this.set(labels, value);
              else this.set(value);
            }
          } catch {
            // The database being down is reported by /healthz; a scrape still returns the rest.
          }
        },
      });

    fromDb('mentorbot_rounds_posted', 'Rounds posted to their channel', [], async () => {
      const r = await db.selectFrom('rounds').select(sql<number>`count(*)::int`.as('n')).where('message_id', 'is not', null).executeTakeFirstOrThrow();
      return [{ value: r.n }];
    });
    fromDb('mentorbot_checkins_recorded', 'Check-ins stored, by how they were given', ['source'], async () => {
      const rows = await db.selectFrom('checkins').select(['source', sql<number>`count(*)::int`.as('n')]).groupBy('source').execute();
      return rows.map((r) => ({ labels: { source: r.source }, value: r.n }));
    });
    fromDb('mentorbot_reminders_sent', 'Reminder DMs delivered', [], async () => {
      const r = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', 'reminder').where('status', '=', 'sent').executeTakeFirstOrThrow();
      return [{ value: r.n }];
    });
    fromDb('mentorbot_stall_flags', 'Stall flags that are not resolved, by status', ['status'], async () => {
      const rows = await db.selectFrom('stall_flags').select(['status', sql<number>`count(*)::int`.as('n')]).where('status', '<>', 'resolved').groupBy('status').execute();
      return rows.map((r) => ({ labels: { status: r.status }, value: r.n }));
    });
    fromDb('mentorbot_faq_questions', 'FAQ questions asked, by whether a curated answer was given', ['answered'], async () => {
      const rows = await db.selectFrom('faq_questions').select(['answered', sql<number>`count(*)::int`.as('n')]).groupBy('answered').execute();
      return rows.map((r) => ({ labels: { answered: String(r.answered) }, value: r.n }));
    });
    fromDb('mentorbot_outbox_depth', 'Messages waiting in the outbox, and dead ones', ['status'], async () => {
      const rows = await db.selectFrom('outbox').select(['status', sql<number>`count(*)::int`.as('n')]).where('status', '<>', 'sent').groupBy('status').execute();
      return rows.map((r) => ({ labels: { status: r.status }, value: r.n }));
    });
    fromDb('mentorbot_outbox_oldest_age_seconds', 'Age of the oldest message still waiting to be sent', [], async () => {
      const r = await db
        .selectFrom('outbox')
        .select(sql<number | null>`extract(epoch from (now() - min(created_at)))::float8`.as('age'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return [{ value: Math.max(0, r.age ?? 0) }];
    });
  }

  onDelivery(row: OutboxRow, outcome: 'sent' | 'retried' | 'dead'): void {
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
