/**
 * "Slack" in a process of its own: the fake Web API the bot posts to, and the open-loop load
 * generator that sends it signed button clicks, so neither competes with the bot's event loop and
 * a click's send time and the arrival of its answer are read on one clock. Driven over IPC by
 * bench/lib/slack-side.ts.
 */
import { clickButton, sign, SIGNING_SECRET } from '../../test/helpers/slack-requests.js';
import { FakeSlackApi, type PostedMessage } from './fake-slack-api.js';

export interface LoadJob {
  url: string;
  rate: number;
  durationMs: number;
  /** Sent at the same rate before the measured part; not counted. */
  warmupMs: number;
  learners: Array<{ userId: string; channel: string }>;
  /** 0: the target never answers through response_url (the bare Bolt app). */
  followupTimeoutMs: number;
  tag: string;
}

export interface LoadResult {
  sent: number;
  measured: number;
  /** Time to HTTP response, from the moment the request was due (open loop: includes any lateness of the sender). */
  ack: Float64Array;
  /** Time to HTTP response, from the moment the request was actually written. */
  service: Float64Array;
  /** From due time to the answer arriving at response_url; NaN when none arrived. */
  followup: Float64Array;
  /** HTTP status → count, measured requests only. */
  statuses: Record<string, number>;
  /** Transport errors, warm-up included. */
  errors: Record<string, number>;
  maxLateMs: number;
  maxInflight: number;
  elapsedMs: number;
}

type Request = { id: number; cmd: string; args?: any };

const fake = new FakeSlackApi();
const LABELS = ['On track', 'Behind', 'Done', 'On track', 'Blocked'];

async function load(job: LoadJob): Promise<LoadResult> {
  const rounds = new Map<string, PostedMessage>(fake.roundMessages().map((m) => [m.channel, m]));
  const clickers = job.learners.filter((l) => rounds.has(l.channel));
  if (clickers.length === 0) throw new Error('no round post to click: none of the learners\' channels has one');
  const interval = 1000 / job.rate;
  const warm = Math.round((job.rate * job.warmupMs) / 1000);
  const total = warm + Math.round((job.rate * job.durationMs) / 1000);
  const ack = new Float64Array(total).fill(Number.NaN);
  const service = new Float64Array(total).fill(Number.NaN);
  const intended = new Float64Array(total);
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let maxLate = 0;
  let inflight = 0;
  let maxInflight = 0;

  const fire = (i: number, due: number) => {
    const learner = clickers[i % clickers.length]!;
    const message = rounds.get(learner.channel)!;
    const label = LABELS[Math.floor(i / clickers.length) % LABELS.length]!;
    const req = clickButton({
      message: { channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks },
      label,
      user: { id: learner.userId, name: learner.userId.toLowerCase() },
      responseUrl: `${fake.baseUrl}/response/${job.tag}-${i}`,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const sent = performance.now();
    maxLate = Math.max(maxLate, sent - due);
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    const p = fetch(job.url, {
      method: 'POST',
      headers: {
        'content-type': req.contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': sign(req.body, timestamp, SIGNING_SECRET),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body: req.body,
    })
      .then(async (res) => {
        await res.arrayBuffer();
        const done = performance.now();
        ack[i] = done - due;
        service[i] = done - sent;
        if (i >= warm) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      })
      .catch((err: unknown) => {
        const key = (err as { cause?: { code?: string } })?.cause?.code ?? (err as Error)?.message ?? String(err);
        errors[key] = (errors[key] ?? 0) + 1;
      })
      .finally(() => {
        inflight--;
        pending.delete(p);
      });
    pending.add(p);
  };

  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) intended[i] = start + i * interval;
  await new Promise<void>((resolve) => {
    let i = 0;
    const step = () => {
      const now = performance.now();
      while (i < total && intended[i]! <= now) {
        fire(i, intended[i]!);
        i++;
      }
      if (i >= total) resolve();
      else setTimeout(step, Math.max(0, Math.min(1, intended[i]! - performance.now())));
    };
    setTimeout(step, 20);
  });
  await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 15_000))]);
  const elapsedMs = performance.now() - start;

  const followup = new Float64Array(total - warm).fill(Number.NaN);
  if (job.followupTimeoutMs > 0) {
    const ids = Array.from({ length: total - warm }, (_, k) => `${job.tag}-${k + warm}`);
    await fake.until(() => ids.every((id) => fake.responses.has(id)), job.followupTimeoutMs);
    ids.forEach((id, k) => {
      const at = fake.responses.get(id);
      if (at !== undefined) followup[k] = at - (performance.timeOrigin + intended[k + warm]!);
    });
  }
  return {
    sent: total,
    measured: total - warm,
    ack: ack.slice(warm),
    service: service.slice(warm),
    followup,
    statuses,
    errors,
    maxLateMs: maxLate,
    maxInflight,
    elapsedMs,
  };
}

async function handle(req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'configure':
      fake.reset({ perChannelPerSec: req.args?.perChannelPerSec ?? null });
      return null;
    case 'stats':
      return fake.stats();
    case 'waitRoundPosts': {
      const { count, timeoutMs } = req.args as { count: number; timeoutMs: number };
      await fake.until(() => fake.roundPosts.size >= count, timeoutMs);
      return fake.stats();
    }
    case 'roundMessages':
      return fake.roundMessages();
    case 'load':
      return load(req.args as LoadJob);
    case 'close':
      await fake.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

await fake.listen();
process.on('message', (req: Request) => {
  handle(req).then(
    (result) => process.send!({ id: req.id, ok: true, result }),
    (err: unknown) => process.send!({ id: req.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, baseUrl: fake.baseUrl, apiUrl: fake.apiUrl });
