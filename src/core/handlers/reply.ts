import type { Button, OutMessage, Reply } from '../chat.js';
import { CommandError } from '../commands.js';

/** A private answer to the person who acted. */
export function privately(text: string, buttons?: Button[]): Reply {
  return { kind: 'message', message: { text, buttons, private: true } };
}

export function publicly(text: string, buttons?: Button[]): Reply {
  return { kind: 'message', message: { text, buttons, private: false } };
}

export function show(message: OutMessage): Reply {
  return { kind: 'message', message };
}

/** A refusal or bad input: what was wrong, then how to do it right. Nothing was changed. */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export function refusalReply(err: Refusal | CommandError): Reply {
  return privately(err.usage ? `${err.message}\nUsage: ${err.usage}` : err.message);
}
