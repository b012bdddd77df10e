import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import type { Button, FormField, FormSpec, FormValues, OutMessage } from '../../core/chat.js';

/** Discord's limits, from the API reference. */
export const LIMITS = {
  content: 2000,
  customId: 100,
  buttonLabel: 80,
  buttonsPerRow: 5,
  rows: 5,
  modalTitle: 45,
  modalComponents: 5,
  label: 45,
  selectOptions: 25,
  selectOptionLabel: 100,
  placeholder: 100,
  textInput: 4000,
} as const;


/** The JSON body of a message create or edit, as the REST API takes it. */
export interface MessageBody {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  flags?: number;
  allowed_mentions: { parse: Array<'users'> };
}

export function customId(action: string, value: string): string {
  const id = `${action}|${value}`;
  if (id.length > LIMITS.customId) throw new Error(`custom_id longer than ${LIMITS.customId} characters: ${id}`);
  return id;
}

/** Splits a custom_id at its first `|`. */
export function parseCustomId(id: string): { action: string; value: string } {
  const at = id.indexOf('|');
  return at < 0 ? { action: id, value: '' } : { action: id.slice(0, at), value: id.slice(at + 1) };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function renderButtons(buttons: Button[] = []): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  const usable = buttons.slice(0, LIMITS.buttonsPerRow * LIMITS.rows);
  for (let i = 0; i < usable.length; i += LIMITS.buttonsPerRow) {
    rows.push({
      type: ComponentType.ActionRow,
      components: usable.slice(i, i + LIMITS.buttonsPerRow).map((b) => ({
        type: ComponentType.Button,
        custom_id: customId(b.action, b.value),
        label: clip(b.label, LIMITS.buttonLabel),
        style: b.style === 'primary' ? ButtonStyle.Primary : b.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary,
      })),
    });
  }
  return rows;
}

/**
 * The core writes CommonMark; Discord renders most of it. Headings deeper than ### show as
 * literal hashes on Discord, so they are capped. The organizer's `/cohort` subcommands are
 * registered on Discord as `/cohort-admin` (see commands.ts), so the core's usage hints are
 * renamed to match what the organizer can type.
 */
export function toDiscordMarkdown(text: string): string {
  return text
    .replace(/^#{4,6}(?=\s)/gm, '###')
    .replace(/`\/cohort (create|add|mentor|remove|pause|resume|skip|unskip|edit)\b/g, '`/cohort-admin $1');
}

/** Splits text into pieces of at most `max` characters, at paragraph, then line, then word boundaries. */
export function splitText(text: string, max: number = LIMITS.content): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf('\n\n');
    if (cut < max / 2) cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/**
 * One `OutMessage` as one or more message bodies: text over 2,000 characters is split, and the
 * buttons go on the last piece. Link previews are suppressed: a round post lists several
 * resources and their previews would bury the buttons.
 */
export function renderMessage(message: OutMessage, opts: { ephemeral?: boolean } = {}): MessageBody[] {
  const pieces = splitText(toDiscordMarkdown(message.text));
  const flags = MessageFlags.SuppressEmbeds | (opts.ephemeral ? MessageFlags.Ephemeral : 0);
  return pieces.map((content, i) => ({
    content,
    components: i === pieces.length - 1 ? renderButtons(message.buttons) : [],
    flags,
    allowed_mentions: { parse: ['users'] },
  }));
}

/** The thread parts of a long report, each as message bodies. */
export function renderThreadParts(message: OutMessage, opts: { ephemeral?: boolean } = {}): MessageBody[] {
  return (message.thread ?? []).flatMap((part) => renderMessage({ text: part }, opts));
}

/** A message edit: the same content and buttons, no flags (Discord refuses to change most of them). */
export function renderEdit(message: OutMessage): Omit<MessageBody, 'flags'> {
  const [first] = renderMessage(message);
  const { flags: _flags, ...body } = first!;
  return body;
}

function fieldComponent(field: FormField): APILabelComponent {
  const placeholder = field.placeholder ? clip(field.placeholder, LIMITS.placeholder) : undefined;
  const label = clip(field.label, LIMITS.label);
  if (field.kind === 'select' || field.kind === 'multiselect') {
    const initial = new Set(Array.isArray(field.initial) ? field.initial : field.initial ? [field.initial] : []);
    const options = (field.options ?? []).slice(0, LIMITS.selectOptions).map((o) => ({
      label: clip(o.label, LIMITS.selectOptionLabel),
      value: o.value,
      default: initial.has(o.value),
    }));
    const multi = field.kind === 'multiselect';
    return {
      type: ComponentType.Label,
      label,
      component: {
        type: ComponentType.StringSelect,
        custom_id: field.id,
        options,
        min_values: field.optional ? 0 : 1,
        max_values: multi ? Math.max(1, options.length) : 1,
        required: !field.optional,
        ...(placeholder ? { placeholder } : {}),
      },
    };
  }
  const initial = typeof field.initial === 'string' ? field.initial : undefined;
  return {
    type: ComponentType.Label,
    label,
    component: {
      type: ComponentType.TextInput,
      custom_id: field.id,
      style: field.kind === 'textarea' ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: !field.optional,
      max_length: Math.min(field.maxLength ?? LIMITS.textInput, LIMITS.textInput),
      ...(placeholder ? { placeholder } : {}),
      ...(initial ? { value: clip(initial, field.maxLength ?? LIMITS.textInput) } : {}),
    },
  };
}

/**
 * A form as a Discord modal. Modals now take labelled select menus, so selects stay selects
 * (no typed "on-track" in a text box). A modal holds at most five components.
 */
export function renderModal(form: FormSpec, modalCustomId: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: modalCustomId,
    title: clip(form.title, LIMITS.modalTitle),
    components: form.fields.slice(0, LIMITS.modalComponents).map(fieldComponent),
  };
}

/** A submitted component as discord.js hands it over: a select has `values`, a text input `value`. */
export interface SubmittedField {
  customId: string;
  value?: string | null;
  values?: readonly string[];
}

/** Reads a modal submission back into the core's form values; empty answers are left out. */
export function readFormValues(fields: Iterable<SubmittedField>): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const list = (f.values ?? (f.value != null ? [f.value] : [])).map((v) => v.trim()).filter(Boolean);
    switch (f.customId) {
      case 'milestones':
        values.milestones = list;
        break;
      case 'status':
      case 'confidence':
      case 'blocker':
      case 'note':
      case 'link':
      case 'answer':
        if (list.length > 0) values[f.customId] = list[0];
        break;
    }
  }
  return values;
}
