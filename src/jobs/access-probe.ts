import { AccessLostError, type ChatPort } from '../core/chat.js';
import type { CoreDeps } from '../core/core.js';
import { accessLosses, accessRestored, claimProbe } from '../core/platform-access.js';
import type { Platform } from '../db/types.js';
import type { Logger } from '../log.js';

/** A lost platform is asked again about once a minute, by one replica at a time. */
export const PROBE_EVERY_MS = 55_000;

/** Asks each platform whose access was lost whether it is back; on success sending resumes. */
export async function probeAccess(deps: Pick<CoreDeps, 'db' | 'clock'>, ports: ReadonlyMap<Platform, ChatPort>, log: Logger): Promise<Platform[]> {
  const restored: Platform[] = [];
  for (const loss of await accessLosses(deps.db)) {
    const port = ports.get(loss.platform);
    if (!port?.probe || !(await claimProbe(deps.db, loss.platform, deps.clock.now(), PROBE_EVERY_MS))) continue;
    try {
      await port.probe();
    } catch (err) {
      if (!(err instanceof AccessLostError)) log.debug({ err, platform: loss.platform }, 'access probe failed');
      continue;
    }
    if (await accessRestored(deps.db, loss.platform)) {
      restored.push(loss.platform);
      log.info({ platform: loss.platform, lostAt: loss.lostAt }, `access to ${loss.platform} is back; delivering what still makes sense`);
    }
  }
  return restored;
}
