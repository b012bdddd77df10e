import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../core/clock.js';

/**
 * The terminal mode's simulated time, kept next to the data it produced: rounds and check-ins made
 * at a moved clock would otherwise sit in the future of a restarted bot.
 */
export function clockFile(dataDir: string): string {
  return path.join(dataDir, 'terminal-clock.json');
}

export function readSavedClock(file: string): Date | null {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { now?: unknown };
    const at = typeof saved.now === 'string' ? new Date(saved.now) : null;
    return at && !Number.isNaN(at.getTime()) ? at : null;
  } catch {
    return null;
  }
}

/** Moves the clock to the saved time; time never goes back, so a saved time already past is ignored. */
export function restoreClock(clock: Clock, file: string): boolean {
  const saved = readSavedClock(file);
  if (!saved || saved <= clock.now()) return false;
  clock.set(saved);
  return true;
}

export function saveClock(file: string, now: Date): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ now: now.toISOString() })}\n`);
}
