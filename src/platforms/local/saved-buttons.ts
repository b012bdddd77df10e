import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Button } from '../../core/chat.js';

export interface NumberedButton {
  button: Button;
  channelId: string;
  messageId: string;
}

export interface SavedButtons {
  next: number;
  buttons: Array<[number, NumberedButton]>;
}

// A chat keeps old messages and their buttons; the terminal keeps the most recent ones.
const KEPT = 2000;

/**
 * The terminal's numbered buttons, kept next to the data they act on: a DM printed before a
 * restart (a mentor's `Answer`, a learner's round post) can still be pressed by its number.
 */
export function buttonsFile(dataDir: string): string {
  return path.join(dataDir, 'terminal-buttons.json');
}

export function readSavedButtons(file: string): SavedButtons {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedButtons>;
    const buttons = Array.isArray(saved.buttons) ? saved.buttons.filter(isEntry) : [];
    const next = Math.max(typeof saved.next === 'number' ? saved.next : 1, ...buttons.map(([n]) => n + 1));
    return { next, buttons };
  } catch {
    return { next: 1, buttons: [] };
  }
}

export function saveButtons(file: string, next: number, buttons: Map<number, NumberedButton>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ next, buttons: [...buttons].slice(-KEPT) })}\n`);
}

function isEntry(x: unknown): x is [number, NumberedButton] {
  if (!Array.isArray(x) || typeof x[0] !== 'number') return false;
  const b = x[1] as Partial<NumberedButton> | undefined;
  return typeof b?.channelId === 'string' && typeof b.messageId === 'string' && typeof b.button?.action === 'string';
}
