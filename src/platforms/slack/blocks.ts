import type { types } from '@slack/bolt';
import { z } from 'zod';
import { isActionId, type ActionId, type Button, type FormField, type FormSpec, type FormValues, type OutMessage } from '../../core/chat.js';
import { toMrkdwn } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type HomeView = types.HomeView;
type PlainTextOption = types.PlainTextOption;

// Block Kit limits (api.slack.com/reference/block-kit): exceeding any of them makes Slack reject the whole message.
const SECTION_MAX = 3000;
const BUTTONS_PER_ACTIONS = 25;
const BUTTON_LABEL_MAX = 75;
const MESSAGE_BLOCKS_MAX = 50;
const VIEW_BLOCKS_MAX = 100;
const FALLBACK_TEXT_MAX = 3000;
const OPTION_TEXT_MAX = 75;
const OPTIONS_MAX = 100;
const VIEW_TITLE_MAX = 24;
const LABEL_MAX = 2000;
const PLACEHOLDER_MAX = 150;
const PRIVATE_METADATA_MAX = 3000;


/** Every action_id this app renders: `${action}:${index}` (Slack wants them unique within a block). */
export const ACTION_ID_PATTERN = /^([a-z-]+\.[a-z-]+):(\d+)$/;

export function encodeActionId(action: ActionId, index: number): string {
  return `${action}:${index}`;
}

export function decodeActionId(actionId: string): ActionId | null {
  const m = ACTION_ID_PATTERN.exec(actionId);
  if (!m) return null;
  return isActionId(m[1]!) ? m[1] : null;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Splits mrkdwn into section-sized chunks, on paragraph then line boundaries, never inside a code fence if avoidable. */
export function splitSections(mrkdwn: string, max = SECTION_MAX): string[] {
  const parts: string[] = [];
  let current = '';
  const push = () => {
    if (current.trim()) parts.push(current.replace(/\n+$/, ''));
    current = '';
  };
  for (const line of mrkdwn.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    push();
    let rest = line;
    while (rest.length > max) {
      const cut = Math.max(rest.lastIndexOf(' ', max), Math.floor(max / 2));
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    current = rest;
  }
  push();
  return parts;
}

function renderButtons(buttons: Button[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let start = 0; start < buttons.length; start += BUTTONS_PER_ACTIONS) {
    blocks.push({
      type: 'actions',
      block_id: `mentorbot-actions-${start / BUTTONS_PER_ACTIONS}`,
      elements: buttons.slice(start, start + BUTTONS_PER_ACTIONS).map((b, i) => ({
        type: 'button' as const,
        text: { type: 'plain_text' as const, text: truncate(b.label, BUTTON_LABEL_MAX), emoji: true },
        action_id: encodeActionId(b.action, start + i),
        value: b.value,
        ...(b.style ? { style: b.style } : {}),
      })),
    });
  }
  return blocks;
}

export interface RenderedMessage {
  /** The notification / accessibility text Slack shows where blocks cannot be shown. */
  text: string;
  blocks: KnownBlock[];
}

export function renderMessage(message: OutMessage, maxBlocks = MESSAGE_BLOCKS_MAX): RenderedMessage {
  const mrkdwn = toMrkdwn(message.text);
  const actions = renderButtons(message.buttons ?? []);
  let sections = splitSections(mrkdwn);
  const room = maxBlocks - actions.length;
  if (sections.length > room) {
    sections = sections.slice(0, Math.max(room, 1));
    sections[sections.length - 1] = `${truncate(sections[sections.length - 1]!, SECTION_MAX - 2)}\n…`;
  }
  const blocks: KnownBlock[] = sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  blocks.push(...actions);
  return { text: truncate(mrkdwn, FALLBACK_TEXT_MAX) || ' ', blocks };
}

export function renderHome(message: OutMessage): HomeView {
  return { type: 'home', blocks: renderMessage(message, VIEW_BLOCKS_MAX).blocks };
}

/** What a modal carries back on submit: the core's opaque state and where the form was opened. */
export interface FormMetadata {
  state: string;
  channelId: string | null;
}

const formMetadataSchema = z.object({ s: z.string(), c: z.string().nullable() });

export function encodeFormMetadata(meta: FormMetadata): string {
  const text = JSON.stringify({ s: meta.state, c: meta.channelId });
  if (text.length > PRIVATE_METADATA_MAX) throw new Error(`form state too long for a Slack modal (${text.length} characters)`);
  return text;
}

export function decodeFormMetadata(text: string): FormMetadata | null {
  try {
    const parsed = formMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? { state: parsed.data.s, channelId: parsed.data.c } : null;
  } catch {
    return null;
  }
}

export const FORM_CALLBACK_PREFIX = 'mentorbot-form:';

function option(o: { value: string; label: string }): PlainTextOption {
  return { text: { type: 'plain_text', text: truncate(o.label, OPTION_TEXT_MAX), emoji: true }, value: o.value };
}

function placeholder(field: FormField) {
  return field.placeholder ? { placeholder: { type: 'plain_text' as const, text: truncate(field.placeholder, PLACEHOLDER_MAX) } } : {};
}

function renderField(field: FormField): KnownBlock | null {
  const base = {
    type: 'input' as const,
    block_id: field.id,
    optional: field.optional,
    label: { type: 'plain_text' as const, text: truncate(field.label, LABEL_MAX), emoji: true },
  };
  const options = (field.options ?? []).slice(0, OPTIONS_MAX).map(option);
  const initial = field.initial;
  switch (field.kind) {
    case 'select': {
      if (options.length === 0) return null;
      const selected = typeof initial === 'string' ? options.find((o) => o.value === initial) : undefined;
      return {
        ...base,
        element: { type: 'static_select', action_id: field.id, options, ...(selected ? { initial_option: selected } : {}), ...placeholder(field) },
      };
    }
    case 'multiselect': {
      // Slack rejects a multi-select without options (a week with no milestones left to tick).
      if (options.length === 0) return null;
      const wanted = Array.isArray(initial) ? initial : typeof initial === 'string' ? [initial] : [];
      const selected = options.filter((o) => wanted.includes(o.value ?? ''));
      return {
        ...base,
        element: {
          type: 'multi_static_select',
          action_id: field.id,
          options,
          ...(selected.length > 0 ? { initial_options: selected } : {}),
          ...placeholder(field),
        },
      };
    }
    case 'text':
    case 'textarea':
      return {
        ...base,
        element: {
          type: 'plain_text_input',
          action_id: field.id,
          multiline: field.kind === 'textarea',
          ...(typeof initial === 'string' && initial ? { initial_value: initial } : {}),
          ...(field.maxLength ? { max_length: field.maxLength } : {}),
          ...placeholder(field),
        },
      };
  }
}

export function renderForm(form: FormSpec, meta: FormMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: `${FORM_CALLBACK_PREFIX}${form.id}`,
    title: { type: 'plain_text', text: truncate(form.title, VIEW_TITLE_MAX), emoji: true },
    submit: { type: 'plain_text', text: truncate(form.submitLabel, VIEW_TITLE_MAX), emoji: true },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: encodeFormMetadata({ state: form.state, channelId: meta.channelId }),
    blocks: form.fields.map(renderField).filter((b): b is KnownBlock => b !== null),
  };
}

const stateValueSchema = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});
const viewStateSchema = z.record(z.string(), z.record(z.string(), stateValueSchema));

/** Reads the submitted values of a check-in modal (view.state.values) into the core's FormValues. */
export function readFormValues(values: unknown): FormValues {
  const parsed = viewStateSchema.safeParse(values ?? {});
  if (!parsed.success) return {};
  const out: FormValues = {};
  for (const [blockId, actions] of Object.entries(parsed.data)) {
    const v = actions[blockId] ?? Object.values(actions)[0];
    if (!v) continue;
    switch (blockId) {
      case 'status':
      case 'confidence':
        if (v.selected_option) out[blockId] = v.selected_option.value;
        break;
      case 'milestones':
        out.milestones = (v.selected_options ?? []).map((o) => o.value);
        break;
      case 'blocker':
      case 'note':
      case 'link':
      case 'answer': {
        const text = v.value?.trim();
        if (text) out[blockId] = text;
        break;
      }
    }
  }
  return out;
}

/** A short private text: what was wrong and how to do it right. */
export function usageMessage(problem: string, usage: string): OutMessage {
  return { text: `${problem}\nUsage: ${usage}`, private: true };
}
