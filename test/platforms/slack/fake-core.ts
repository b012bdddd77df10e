import type { ActionId, Actor, FormValues, OutMessage, Place, Reply } from '../../../src/core/chat.js';
import { Clock } from '../../../src/core/clock.js';
import type { Command } from '../../../src/core/commands.js';
import type { Core, CoreDeps } from '../../../src/core/core.js';
import type { PlatformEvent } from '../../../src/core/platform-events.js';

export type CoreCall =
  | { fn: 'command'; actor: Actor; place: Place; command: Command }
  | { fn: 'action'; actor: Actor; place: Place; action: ActionId; value: string }
  | { fn: 'submitForm'; actor: Actor; place: Place; state: string; values: FormValues }
  | { fn: 'mention'; actor: Actor; place: Place; text: string }
  | { fn: 'home'; actor: Actor };

/** A Core that records what the adapter asked and answers what the test scripted. */
export interface FakeCore extends Core {
  calls: CoreCall[];
  /** Platform events the adapter reported, in order. */
  events: PlatformEvent[];
  replies: {
    command?: (cmd: Command, actor: Actor) => Reply | Promise<Reply>;
    action?: (action: ActionId, value: string) => Reply | Promise<Reply>;
    submitForm?: (state: string, values: FormValues) => Reply | Promise<Reply>;
    mention?: (text: string) => Reply | Promise<Reply>;
    home?: (actor: Actor) => OutMessage;
  };
}

const said = (text: string): Reply => ({ kind: 'message', message: { text, private: true } });

export function fakeCore(): FakeCore {
  const calls: CoreCall[] = [];
  const events: PlatformEvent[] = [];
  const replies: FakeCore['replies'] = {};
  const deps = { clock: new Clock() } as unknown as CoreDeps;
  return {
    deps,
    calls,
    events,
    replies,
    async command(actor, place, command) {
      calls.push({ fn: 'command', actor, place, command });
      return replies.command ? replies.command(command, actor) : said(`ran ${command.name}`);
    },
    async action(actor, place, action, value) {
      calls.push({ fn: 'action', actor, place, action, value });
      return replies.action ? replies.action(action, value) : said(`clicked ${action} ${value}`);
    },
    async submitForm(actor, place, _formId, state, values) {
      calls.push({ fn: 'submitForm', actor, place, state, values });
      return replies.submitForm ? replies.submitForm(state, values) : said('saved');
    },
    async mention(actor, place, text) {
      calls.push({ fn: 'mention', actor, place, text });
      return replies.mention ? replies.mention(text) : { kind: 'message', message: { text: `you asked: ${text}` } };
    },
    async home(actor) {
      calls.push({ fn: 'home', actor });
      return replies.home ? replies.home(actor) : { text: `**Home of ${actor.displayName}**` };
    },
    async platformEvent(event) {
      events.push(event);
      return 'changed';
    },
  };
}
