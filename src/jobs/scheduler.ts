import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { ChatPort } from '../core/chat.js';
import type { CoreDeps } from '../core/core.js';
import type { DbHandle } from '../db/connect.js';
import type { OutboxWatch } from '../db/outbox-watch.js';
import type { Platform } from '../db/types.js';
import type { Logger } from '../log.js';
import { runEvidenceJobs } from '../core/evidence/jobs.js';
import { deliverDue, type DeliveryOptions, type DeliveryResult } from './deliver.js';
import { probeAccess } from './access-probe.js';
import { acquireLease, releaseLease } from './lease.js';
import { reconcileMembers } from './reconcile.js';
import { runTick, type TickSummary } from './tick.js';

export interface Scheduler {
  readonly workerId: string;
  /** One tick and the deliveries it made due (the terminal's /clock and the test clock use this). */
  runNow(): Promise<{ tick: TickSummary; delivered: DeliveryResult }>;
  /** Delivers until nothing due is left (bounded). */
  drain(maxPasses?: number): Promise<DeliveryResult>;
  /** Settles true once outbox writes wake this scheduler (see OutboxWatch), false when they never will (no autoStart, no watch). */
  readonly listening: Promise<boolean>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface SchedulerOptions {
  deps: CoreDeps;
  ports: ReadonlyMap<Platform, ChatPort>;
  log: Logger;
  /** false: nothing runs by itself (tests, demo); runNow/drain still work. */
  autoStart?: boolean;
  /** The safety net and the clock for rows due later (retries, quiet hours); new rows wake delivery at once. */
  pollMs?: number;
  /** Where outbox writes are heard from (the database handle); without it, a replica learns of other replicas' rows at its poll. */
  notifications?: Pick<DbHandle, 'watchOutbox'>;
  onOutcome?: DeliveryOptions['onOutcome'];
  /** The least time between two edits of one message (see deliverDue); the bot on a real clock uses POST_EDIT_GAP_MS. */
  editGapMs?: number;
}

const TICK_LEASE = 'tick';
/** A replica that dies mid-tick holds the others back until this runs out (on the real clock): they tick again the minute after. */
const TICK_LEASE_MS = 30_000;

/**
 * node-cron only says "look now" once a minute; the database decides what is due and who sends it.
 * Delivery starts as soon as there is something to send: right after this replica's tick, and when
 * any replica writes outbox rows (a notification, a hint only); the poll catches what both miss.
 */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { deps, ports, log } = opts;
  const workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const track = (run: Promise<unknown>) => {
    inFlight = Promise.all([inFlight, run]);
  };

  // One delivery pass at a time in a process: two passes of one worker could each claim rows for the
  // same channel (claimDue only keeps a channel from *other* workers) and post them out of order.
  let passes: Promise<unknown> = Promise.resolve();
  const deliverOnce = (): Promise<DeliveryResult> => {
    const pass = passes.then(async () => {
      const result = await deliverDue(deps.db, ports, deps.clock.now(), {
        workerId,
        onOutcome: opts.onOutcome,
        editGapMs: opts.editGapMs,
        admins: deps.admins,
        onAccessLost: (platform, cause) => log.error({ platform, cause }, `lost access to ${platform} (${cause}); holding every message until a probe finds it back`),
      });
      if (result.sent + result.retried + result.dead > 0) log.debug({ ...result }, 'delivery pass');
      if (result.dead > 0) log.warn({ dead: result.dead }, 'messages could not be delivered');
      return result;
    });
    passes = pass.catch(() => undefined);
    return pass;
  };

  /** `untilStopped`: no new pass once stop() was called (the one running finishes). */
  const deliverAll = async (maxPasses: number, untilStopped = false): Promise<DeliveryResult> => {
    const total: DeliveryResult = { sent: 0, retried: 0, dead: 0 };
    for (let i = 0; i < maxPasses && !(untilStopped && stopped); i++) {
      const r = await deliverOnce();
      total.sent += r.sent;
      total.retried += r.retried;
      total.dead += r.dead;
      if (r.sent + r.retried + r.dead === 0) break;
    }
    return total;
  };

  const drain = async (maxPasses = 50): Promise<DeliveryResult> => {
    if (deps.evidence) await runEvidenceJobs(deps.db, deps.content, deps.evidence, deps.clock.now());
    return deliverAll(maxPasses);
  };

  /**
   * Asks for delivery now. Wake-ups that arrive while a delivery runs fold into one more round after
   * it, so a burst of notifications (one per commit of a tick) costs a pass or two, not one each.
   */
  let wanted = false;
  let delivering: Promise<void> | null = null;
  const wake = () => {
    if (stopped) return;
    wanted = true;
    if (delivering) return;
    delivering = (async () => {
      while (wanted && !stopped) {
        wanted = false;
        await deliverAll(50, true).catch((err) => log.error({ err }, 'deliver failed'));
      }
    })().finally(() => (delivering = null));
    track(delivering);
  };

  let reconciledSinceStart = false;
  /**
   * Members who left unannounced (events missed while the bot was down) are found after a start,
   * then daily. Reading every channel takes minutes within a platform's rate limits, so it runs
   * beside the tick, never in its way.
   */
  const reconcileOnce = async (): Promise<void> => {
    const reconciled = await reconcileMembers(deps, ports, { force: !reconciledSinceStart });
    if (reconciled.mode !== 'done') return;
    reconciledSinceStart = true;
    if (reconciled.left + reconciled.returned > 0) log.info({ ...reconciled }, 'channel members reconciled');
    if (reconciled.unreadable > 0) log.warn({ ...reconciled }, "some channels' members could not be read; the next daily check tries again");
  };

  const tick = async (): Promise<TickSummary> => {
    const summary = await runTick(deps, deps.clock.now());
    if (Object.values(summary).some((n) => n > 0)) log.info({ ...summary }, 'tick');
    return summary;
  };
  const tickOnce = async (): Promise<TickSummary> => {
    // Access found back first, so this tick's rounds and reminders are not held for nothing.
    await probeAccess(deps, ports, log);
    return tick();
  };

  const running = new Set<string>();
  const guard = (flag: 'tick' | 'poll' | 'reconcile', fn: () => Promise<unknown>) => async () => {
    if (stopped || running.has(flag)) return;
    running.add(flag);
    const run = fn()
      .catch((err) => log.error({ err }, `${flag} failed`))
      .finally(() => running.delete(flag));
    track(run);
    await run;
  };

  let task: ScheduledTask | null = null;
  let poller: NodeJS.Timeout | null = null;
  let reconciler: NodeJS.Timeout | null = null;
  let watch: Promise<OutboxWatch | null> = Promise.resolve(null);
  if (opts.autoStart !== false) {
    // What this replica's tick wrote goes out at once, whether or not a notification follows.
    const tickThenDeliver = async () => {
      try {
        // One replica ticks at a time; the others only deliver. Two ticks at once would be safe (rows
        // are unique per cohort and week) but would do the same work twice and wait on each other's locks.
        if (!(await acquireLease(deps.db, TICK_LEASE, workerId, new Date(), TICK_LEASE_MS))) return;
        try {
          await tickOnce();
        } finally {
          await releaseLease(deps.db, TICK_LEASE, workerId);
        }
      } finally {
        wake();
      }
    };
    task = cron.schedule('* * * * *', guard('tick', tickThenDeliver), {
      noOverlap: true,
      // A skipped minute loses nothing (the next tick does what fell due), and node-cron's own warning
      // would go to the console, over the terminal's prompt.
      suppressMissedWarning: true,
    });
    poller = setInterval(
      guard('poll', async () => {
        try {
          // Links just attached are checked here, within a second, not at the next minute's tick.
          if (deps.evidence) await runEvidenceJobs(deps.db, deps.content, deps.evidence, deps.clock.now());
        } finally {
          wake();
        }
      }),
      opts.pollMs ?? 1000,
    );
    reconciler = setInterval(guard('reconcile', reconcileOnce), 60_000);
    if (opts.notifications) {
      watch = opts.notifications
        .watchOutbox({ onWrite: wake, onError: (err) => log.warn({ err: err.message }, 'not hearing outbox writes for now; delivery falls back to its poll until the connection is back') })
        .catch((err: unknown) => {
          log.warn({ err: (err as Error).message }, 'outbox writes cannot be heard; delivery relies on its poll');
          return null;
        });
    }
    // The start's member check reads every channel; it begins once the first tick's messages are
    // out, so a fan-out due at start does not share the process and the platform with it.
    void guard('tick', tickThenDeliver)()
      .then(() => delivering)
      .then(guard('reconcile', reconcileOnce));
  }
  const listening = watch.then(async (w) => {
    if (!w) return false;
    await w.ready;
    return !stopped;
  });

  return {
    workerId,
    async runNow() {
      // By hand (the terminal's /clock, tests): members first, so what follows sees who is there.
      await probeAccess(deps, ports, log);
      await reconcileOnce();
      const summary = await tick();
      const delivered = await drain();
      return { tick: summary, delivered };
    },
    drain,
    listening,
    async stop(timeoutMs = 10_000) {
      stopped = true;
      await task?.stop();
      if (poller) clearInterval(poller);
      if (reconciler) clearInterval(reconciler);
      // No new wake-ups (wake() is a no-op once stopped); the pass already running may finish, so its
      // claims are marked instead of waiting out their lease. Both within the time given.
      const unwatched = watch.then((w) => w?.close()).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'closing the outbox watch failed'));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([inFlight, unwatched]), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
