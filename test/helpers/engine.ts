import { loadContent } from '../../src/content/load.js';
import type { Content } from '../../src/content/types.js';
import type { Actor, Place, Reply } from '../../src/core/chat.js';
import { Clock } from '../../src/core/clock.js';
import { parseCommand } from '../../src/core/commands.js';
import type { Core, CoreDeps } from '../../src/core/core.js';
import { createCore } from '../../src/core/create-core.js';
import { createFaqEngine } from '../../src/core/faq/engine.js';
import type { IndexedFaqEngine } from '../../src/core/faq/types.js';
import type { Db } from '../../src/db/connect.js';
import { deliverDue } from '../../src/jobs/deliver.js';
import { runTick } from '../../src/jobs/tick.js';
import { RecordingPort } from './recording-port.js';

let cached: { content: Content; faq: IndexedFaqEngine } | null = null;

export async function realContent(): Promise<{ content: Content; faq: IndexedFaqEngine }> {
  if (!cached) {
    const content = await loadContent('content');
    cached = { content, faq: createFaqEngine(content.faq, content.thesaurus) };
  }
  return cached;
}

/** Core dependencies on the real content, with the clock frozen at `startIso`. */
export async function realDeps(db: Db, admins: CoreDeps['admins'], startIso: string): Promise<CoreDeps> {
  const { content, faq } = await realContent();
  const clock = new Clock();
  clock.freeze(new Date(startIso));
  return { db, content, faq, clock, reminderAfterHours: 24, admins };
}

export interface TestEngine {
  core: Core;
  deps: CoreDeps;
  clock: Clock;
  port: RecordingPort;
  /** Runs what a scheduler tick would, then delivers everything due. */
  tick(): Promise<void>;
  deliver(workerId?: string): Promise<void>;
  at(iso: string): Promise<void>;
  as(userId: string, opts?: { admin?: boolean }): Actor;
  run(actor: Actor, text: string, channelId?: string): Promise<Reply>;
}

export const CHANNEL = 'C-spring';

export async function testEngine(db: Db, start: string, opts: { admins?: CoreDeps['admins']; stallFullScanMs?: number } = {}): Promise<TestEngine> {
  const { content, faq } = await realContent();
  const clock = new Clock();
  clock.freeze(new Date(start));
  const deps: CoreDeps = { db, content, faq, clock, reminderAfterHours: 24, admins: opts.admins ?? [], ...(opts.stallFullScanMs === undefined ? {} : { stallFullScanMs: opts.stallFullScanMs }) };
  const core = createCore(deps);
  const port = new RecordingPort('local');
  const ports = new Map([['local' as const, port]]);
  const deliver = async (workerId = 'w1') => {
    for (let i = 0; i < 20; i++) {
      const r = await deliverDue(db, ports, clock.now(), { workerId });
      if (r.sent + r.retried + r.dead === 0) return;
    }
  };
  return {
    core,
    deps,
    clock,
    port,
    deliver,
    async tick() {
      await runTick(deps, clock.now());
      await deliver();
    },
    async at(iso) {
      clock.freeze(new Date(iso));
      await runTick(deps, clock.now());
      await deliver();
    },
    as: (userId, o = {}) => ({ platform: 'local', userId, displayName: userId, isAdmin: Boolean(o.admin) }),
    run(actor, text, channelId = CHANNEL) {
      const [head, ...rest] = text.trim().split(/\s+/);
      const place: Place = { channelId };
      return core.command(actor, place, parseCommand(head!, rest.join(' ')));
    },
  };
}

export function textOf(reply: Reply): string {
  return reply.kind === 'form' ? `form: ${reply.form.title}` : reply.message.text;
}
