import type { AdminId } from '../config.js';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Clock } from './clock.js';
import type { ActionId, Actor, FormId, FormValues, OutMessage, Place, Reply } from './chat.js';
import type { Command } from './commands.js';
import type { EvidencePorts } from './evidence/ports.js';
import type { IndexedFaqEngine } from './faq/types.js';
import type { PlatformEvent, PlatformEventResult } from './platform-events.js';
import type { HeatmapRenderer } from './report/heatmap.js';

export interface CoreDeps {
  db: Db;
  content: Content;
  faq: IndexedFaqEngine;
  clock: Clock;
  reminderAfterHours: number;
  admins: AdminId[];
  /** RETENTION_DAYS: check-in notes and blockers are removed this long after their cohort finished; null keeps them. */
  retentionDays?: number | null;
  /** Draws the cohort heatmap (src/render); without one, digests and reports go without the picture. */
  renderer?: HeatmapRenderer;
  /** How many user gestures the core works on at once (GESTURES_AT_ONCE when unset). */
  gesturesAtOnce?: number;
  /** The stall safety-net full scan's period (a day when unset); between scans only what changed is looked at. */
  stallFullScanMs?: number;
  /** The dashboard's address as people reach it (PUBLIC_URL); null or absent when no dashboard is served. */
  publicUrl?: () => string | null;
  /** GitHub and the safe fetcher, for evidence checks; without them links are kept and checked once they are given. */
  evidence?: EvidencePorts;
}

/** Everything an adapter may ask of the core. Each call is one user gesture; each returns what to show. */
export interface Core {
  readonly deps: CoreDeps;
  command(actor: Actor, place: Place, command: Command): Promise<Reply>;
  action(actor: Actor, place: Place, action: ActionId, value: string): Promise<Reply>;
  submitForm(actor: Actor, place: Place, formId: FormId, state: string, values: FormValues): Promise<Reply>;
  /** A message that mentions the bot: answered like /faq, in a thread. */
  mention(actor: Actor, place: Place, text: string): Promise<Reply>;
  /** The personal overview (Slack App Home): own progress; mentors also see their cohorts' open flags. */
  home(actor: Actor): Promise<OutMessage>;
  /** Something changed on the platform: a member left or came back, a channel or the bot's access went or returned. */
  platformEvent(event: PlatformEvent): Promise<PlatformEventResult>;
}
