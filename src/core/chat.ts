import type { CheckinStatus, Platform } from '../db/types.js';
import type { OutFile } from './attachments.js';

/**
 * The platform-neutral vocabulary between the core and the adapters. The core returns these;
 * each adapter renders them (Block Kit, Discord components, terminal text) and never decides
 * anything itself.
 */

/** Every button action; adapters accept a click only for one of these. */
export const ACTION_IDS = [
  'checkin.status', // value: `${roundId}:${status}`  — one-click check-in
  'checkin.details', // value: `${roundId}`           — opens the check-in form
  'flag.ack', // value: `${flagId}`, or `${flagId}:list` from the /stalled list
  'flag.resolve', // value: `${flagId}`, or `${flagId}:list` from the /stalled list
  'faq.helpful', // value: `${logId}`
  'faq.unhelpful', // value: `${logId}`
  'faq.ping-mentor', // value: `${logId}`
  'faq.show', // value: FAQ entry id — a related question or a blocker match; `${id}:${logId}` for a "did you mean" choice
  'faq.answer', // value: `${logId}` — a mentor opens the form to answer a learner's question
  'mydata.download', // value: the clicker's own user id — their data as files, by DM
  'mydata.delete', // value: the clicker's own user id — the confirmed erasure of their data
  'cohort.join', // value: `${cohortId}` — the hint sent to someone who joined a cohort's channel
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

export function isActionId(text: string): text is ActionId {
  return (ACTION_IDS as readonly string[]).includes(text);
}

export interface Button {
  action: ActionId;
  label: string;
  value: string;
  style?: 'primary' | 'danger';
}

/** Markdown text with optional buttons. `private` = only the person it answers sees it. */
export interface OutMessage {
  text: string;
  buttons?: Button[];
  private?: boolean;
  /** Carried as platform metadata so a retried post can be recognised (Slack message metadata). */
  roundId?: number;
  /** A long report (digest) can be split: the first part is posted, the rest goes in a thread. */
  thread?: string[];
  /** On an edit: the message's files are replaced by the ones the edit carries (none: removed). */
  replaceFiles?: boolean;
}

export type FormId = 'checkin' | 'faq-answer';

export type FormFieldKind = 'select' | 'multiselect' | 'text' | 'textarea';

export interface FormField {
  id: 'status' | 'milestones' | 'confidence' | 'blocker' | 'note' | 'answer' | 'link';
  label: string;
  kind: FormFieldKind;
  options?: Array<{ value: string; label: string }>;
  /** Pre-filled value: a string, or a list for multiselect. */
  initial?: string | string[];
  optional: boolean;
  placeholder?: string;
  maxLength?: number;
}

/** A form (Slack modal, Discord modal, terminal prompts). `state` comes back untouched on submit. */
export interface FormSpec {
  id: FormId;
  title: string;
  submitLabel: string;
  state: string;
  fields: FormField[];
}

export type Reply =
  | { kind: 'message'; message: OutMessage }
  | { kind: 'form'; form: FormSpec }
  /** The clicked message itself changes (an alert once acknowledged); `notice` is shown privately. */
  | { kind: 'update'; message: OutMessage; notice?: OutMessage }
  /** A submitted form had bad values: each field's problem, so the form can stay open and show them. */
  | { kind: 'form-errors'; errors: Partial<Record<FormField['id'], string>>; message: OutMessage };

export interface Actor {
  platform: Platform;
  userId: string;
  displayName: string;
  /** Resolved by the adapter: ADMIN_USER_IDS, Slack workspace admin, Discord Manage Server. */
  isAdmin: boolean;
  workspaceId?: string | null;
  /** The zone of their platform profile (Slack's `tz`), when the adapter knows it. */
  profileZone?: string | null;
}

/** Where a command was typed or a button clicked. */
export interface Place {
  channelId: string;
  /** The message a button sits on, when it was clicked on one. */
  messageId?: string;
  /** Set when the gesture came from the web dashboard rather than a chat; said in the audit record. */
  via?: 'dashboard';
}

export interface FormValues {
  status?: string;
  milestones?: string[];
  confidence?: string;
  blocker?: string;
  note?: string;
  answer?: string;
  /** A link to the learner's work, attached to the week's milestone as evidence. */
  link?: string;
}

export interface SentRef {
  messageId: string;
  /** The DM channel a user message went to, when the platform has one. */
  channelId?: string;
}

/** What the core needs from a chat platform, used only by the outbox delivery worker. */
export interface ChatPort {
  readonly platform: Platform;
  /** The platform's pace for posts to one channel or person; the worker spaces a target's messages by it. */
  readonly targetIntervalMs?: number;
  /**
   * `key` is the outbox idempotency key: platforms that can dedupe (Discord nonce) must use it.
   * `files` (see attachments.ts) go with the message, however the platform carries files.
   */
  postToChannel(channelId: string, message: OutMessage, key: string, files?: readonly OutFile[]): Promise<SentRef>;
  sendDirect(userId: string, message: OutMessage, key: string, files?: readonly OutFile[]): Promise<SentRef>;
  /** Edits a message; with `message.replaceFiles`, its files become `files` (an empty list removes them). */
  updateMessage(channelId: string, messageId: string, message: OutMessage, files?: readonly OutFile[]): Promise<void>;
  /**
   * For platforms that cannot dedupe by themselves (Slack): finds a message with this outbox key
   * that an earlier attempt posted before it died, so it is not posted twice.
   */
  findSent?(targetKind: 'channel' | 'user', targetId: string, key: string): Promise<SentRef | null>;
  /** Posts a reply in the thread of a message (a learner mentioned under the round post when their DMs are closed). */
  postReply?(channelId: string, parentMessageId: string, message: OutMessage, key: string): Promise<SentRef>;
  /** Asks the platform whether the bot's access works; throws AccessLostError when it does not. */
  probe?(): Promise<void>;
  /**
   * Everyone who can see the channel, read page by page within the platform's rate limits (the
   * daily reconciliation). Null when the channel is gone or unreadable; the port counts its calls.
   */
  channelMembers?(channelId: string): Promise<{ members: Set<string>; calls: number } | null>;
  /**
   * For platforms that send files apart from the message (Slack): after `findSent` found the message
   * an earlier attempt posted, sends those of `files` that did not get there.
   */
  completeFiles?(sent: SentRef, files: readonly OutFile[], key: string): Promise<void>;
}

/**
 * Thrown by a port when the bot's own access is gone (a revoked token, the app uninstalled): nothing
 * can be sent on that platform until it returns, so the worker holds every message instead of failing it.
 */
export class AccessLostError extends Error {
  constructor(readonly why: string) {
    super(`access lost: ${why}`);
    this.name = 'AccessLostError';
  }
}

/** Thrown when a channel cannot be posted to (archived, deleted, the bot removed or without permission). */
export class ChannelUnreachableError extends Error {
  constructor(
    readonly reason: ChannelTrouble,
    detail: string,
  ) {
    super(detail);
    this.name = 'ChannelUnreachableError';
  }
}

/** Thrown when a person cannot be sent a DM (DMs closed, the account gone). */
export class RecipientUnreachableError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'RecipientUnreachableError';
  }
}

export type ChannelTrouble = 'archived' | 'deleted' | 'bot-removed' | 'no-permission';

/** Thrown by a port when the platform asks us to slow down; the worker retries after `retryAfterMs`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limited for ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
  }
}

/** Thrown by a port when retrying cannot help (channel gone, bot removed); the row is marked dead. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export const CHECKIN_STATUSES: readonly CheckinStatus[] = ['on-track', 'behind', 'blocked', 'done'];
