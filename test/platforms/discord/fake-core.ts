import type { ActionId, Actor, FormValues, OutMessage, Place, Reply } from '../../../src/core/chat.js';
import type { Command } from '../../../src/core/commands.js';
import { Clock } from '../../../src/core/clock.js';
import type { Core, CoreDeps } from '../../../src/core/core.js';
import type { Db } from '../../../src/db/connect.js';
import type { PlatformEvent, PlatformEventResult } from '../../../src/core/platform-events.js';

export type CoreCall =
  | { fn: 'command'; actor: Actor; place: Place; command: Command }
  | { fn: 'action'; actor: Actor; place: Place; action: ActionId; value: string }
  | { fn: 'submitForm'; actor: Actor; place: Place; formId: 'checkin'; state: string; values: FormValues }
  | { fn: 'mention'; actor: Actor; place: Place; text: string };

/**
 * A core that records what the adapter asked and answers with whatever the test sets. Its deps
 * hold only what the adapter itself touches: the database (event dedupe) and the clock.
 */
export class FakeCore implements Core {
  readonly calls: CoreCall[] = [];
  /** Platform events the adapter reported, in order. */
  readonly events: PlatformEvent[] = [];
  private readonly clock = new Clock();

  constructor(private readonly db: () => Db) {}

  get deps(): CoreDeps {
    return { db: this.db(), clock: this.clock } as CoreDeps;
  }

  answer: (call: CoreCall) => Reply | Promise<Reply> = () => ({ kind: 'message', message: { text: 'ok', private: true } });

  reset(): void {
    this.calls.length = 0;
    this.events.length = 0;
    this.answer = () => ({ kind: 'message', message: { text: 'ok', private: true } });
  }

  private run(call: CoreCall): Promise<Reply> {
    this.calls.push(call);
    return Promise.resolve().then(() => this.answer(call));
  }

  command(actor: Actor, place: Place, command: Command) {
    return this.run({ fn: 'command', actor, place, command });
  }
  action(actor: Actor, place: Place, action: ActionId, value: string) {
    return this.run({ fn: 'action', actor, place, action, value });
  }
  submitForm(actor: Actor, place: Place, formId: 'checkin', state: string, values: FormValues) {
    return this.run({ fn: 'submitForm', actor, place, formId, state, values });
  }
  mention(actor: Actor, place: Place, text: string) {
    return this.run({ fn: 'mention', actor, place, text });
  }
  async home(): Promise<OutMessage> {
    return { text: 'home', private: true };
  }
  async platformEvent(event: PlatformEvent): Promise<PlatformEventResult> {
    this.events.push(event);
    return 'changed';
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
