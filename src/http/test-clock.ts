import { Duration } from 'luxon';
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { readBody, sendJson, type RouteHandler } from './server.js';

/**
 * `POST /_test/clock` for end-to-end tests: `{"set": "<ISO time>"}` or `{"advance": "<ISO duration>"}`.
 * Moves the clock, runs one scheduler tick and delivers what became due before answering.
 * Mounted only when MENTORBOT_TEST_CLOCK=1.
 */
export function testClockRoute(clock: Clock, scheduler: Scheduler): RouteHandler {
  return async (req, res) => {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      sendJson(res, 400, { error: 'body must be JSON: {"set": "<ISO time>"} or {"advance": "<ISO duration>"}' });
      return;
    }
    const { set, advance } = (body ?? {}) as { set?: unknown; advance?: unknown };
    if (typeof set === 'string') {
      const at = new Date(set);
      if (Number.isNaN(at.getTime())) {
        sendJson(res, 400, { error: `"set" must be an ISO time like 2026-03-02T09:00:00Z, got "${set}"` });
        return;
      }
      clock.set(at);
    } else if (typeof advance === 'string') {
      const duration = Duration.fromISO(advance);
      if (!duration.isValid || duration.toMillis() < 0) {
        sendJson(res, 400, { error: `"advance" must be an ISO 8601 duration like PT24H or P7D, got "${advance}"` });
        return;
      }
      clock.advance(duration.toMillis());
    } else {
      sendJson(res, 400, { error: 'send {"set": "<ISO time>"} or {"advance": "<ISO duration>"}' });
      return;
    }
    const { tick, delivered } = await scheduler.runNow();
    sendJson(res, 200, { now: clock.now().toISOString(), tick, delivered });
  };
}
