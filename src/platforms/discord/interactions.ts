import {
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalMessageModalSubmitInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { AdminId } from '../../config.js';
import type { Content } from '../../content/types.js';
import { isActionId, type ActionId, type FormId, type FormSpec, type OutMessage, type Reply } from '../../core/chat.js';
import { CommandError } from '../../core/commands.js';
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import { toActor, userRef } from './actor.js';
import { firstToHandle } from './dedupe.js';
import { programChoices, timeZoneChoices, toCommand, type Choice } from './commands.js';
import { LIMITS, parseCustomId, readFormValues, renderEdit, renderMessage, renderModal, renderThreadParts, type MessageBody } from './render.js';
import { Stash } from './stash.js';

export interface InteractionDeps {
  core: Core;
  content: Content;
  adminIds: AdminId[];
  log: Logger;
  /**
   * How long to wait for the core before acknowledging with a defer. Discord drops an
   * interaction not answered within 3 s; waiting a little first lets a fast answer be the first
   * response, which a form must be (a modal cannot follow a defer) and which keeps its own
   * private/public choice (a deferred reply's visibility is fixed when deferring).
   */
  ackAfterMs: number;
  forms: Stash<FormSpec>;
  states: Stash<string>;
}

/** Sentences only the Discord adapter needs; everything else the bot says comes from the core. */
export const TEXT = {
  failed: 'Something went wrong on our side and your request may not have gone through. Please try again in a minute.',
  formReady: 'Your check-in form is ready.',
  openForm: 'Open the form',
  formExpired: 'This form has expired. Click **Details…** on the check-in again, or run `/checkin`.',
  unknownButton: 'This button no longer works. Run the command again for a fresh one.',
} as const;

/** Custom ids the adapter itself puts on components, outside the core's action ids. */
const OPEN_FORM = 'form.open';

type Answerable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;
type ShownReply = Exclude<Reply, { kind: 'form-errors' }>;

const toOptions = (body: MessageBody | Omit<MessageBody, 'flags'>) => ({
  content: body.content,
  components: body.components,
  allowedMentions: body.allowed_mentions,
  ...('flags' in body ? { flags: body.flags } : {}),
});

function errorReply(err: unknown, log: Logger): ShownReply {
  if (err instanceof CommandError) return { kind: 'message', message: { text: `${err.message}\nUsage: ${err.usage}`, private: true } };
  log.error({ err }, 'discord interaction failed');
  return { kind: 'message', message: { text: TEXT.failed, private: true } };
}

function modalId(deps: InteractionDeps, form: FormSpec): string {
  const plain = `${form.id}|${form.state}`;
  return plain.length <= LIMITS.customId ? plain : `${form.id}#${deps.states.put(form.state)}`;
}

function parseModalId(deps: InteractionDeps, id: string): { formId: FormId; state: string } | null {
  const m = /^(checkin|faq-answer)([|#])(.*)$/s.exec(id);
  if (!m) return null;
  const state = m[2] === '|' ? m[3]! : deps.states.get(m[3]!);
  return state === undefined ? null : { formId: m[1] as FormId, state };
}

/** A private message whose button opens a form the core returned after we had to defer. */
function openFormMessage(deps: InteractionDeps, form: FormSpec): OutMessage {
  return {
    text: TEXT.formReady,
    private: true,
    buttons: [{ action: OPEN_FORM as ActionId, label: TEXT.openForm, value: deps.forms.put(form), style: 'primary' }],
  };
}

const canUpdate = (i: Answerable): i is ButtonInteraction | ModalMessageModalSubmitInteraction =>
  i.isButton() || (i.isModalSubmit() && i.isFromMessage());

async function sendMessage(i: Answerable, message: OutMessage, first: 'reply' | 'followUp'): Promise<void> {
  const opts = { ephemeral: message.private };
  const bodies = [...renderMessage(message, opts), ...renderThreadParts(message, opts)];
  for (const [n, body] of bodies.entries()) {
    if (n === 0 && first === 'reply') await i.reply(toOptions(body));
    else await i.followUp(toOptions(body));
  }
}

/** The core answered in time: its reply is the interaction's first response. */
async function answerNow(i: Answerable, reply: ShownReply, deps: InteractionDeps): Promise<void> {
  switch (reply.kind) {
    case 'message':
      return sendMessage(i, reply.message, 'reply');
    case 'form':
      if (i.isModalSubmit()) return sendMessage(i, openFormMessage(deps, reply.form), 'reply');
      return i.showModal(renderModal(reply.form, modalId(deps, reply.form))).then(() => undefined);
    case 'update':
      if (canUpdate(i)) await i.update(toOptions(renderEdit(reply.message)));
      else await sendMessage(i, reply.message, 'reply');
      if (reply.notice) await sendMessage(i, { ...reply.notice, private: true }, 'followUp');
      return;
  }
}

/** The core was slow and the interaction was deferred: edit the deferred response or follow up. */
async function answerLate(i: Answerable, reply: ShownReply, deferred: 'update' | 'reply', deps: InteractionDeps): Promise<void> {
  const message = reply.kind === 'form' ? openFormMessage(deps, reply.form) : reply.message;
  if (deferred === 'update') {
    if (reply.kind === 'update') await i.editReply(toOptions(renderEdit(reply.message)));
    else await sendMessage(i, message, 'followUp');
  } else if (message.private || reply.kind !== 'message') {
    const privately = { ...message, private: true };
    const [first, ...rest] = [...renderMessage(privately, { ephemeral: true }), ...renderThreadParts(privately, { ephemeral: true })];
    // The deferral already made the reply private; an edit may not carry the ephemeral flag.
    const { flags: _flags, ...edit } = first!;
    await i.editReply(toOptions(edit));
    for (const body of rest) await i.followUp(toOptions(body));
  } else {
    // The deferral was private; a public answer replaces it rather than hiding in it.
    await i.deleteReply();
    await sendMessage(i, message, 'followUp');
  }
  if (reply.kind === 'update' && reply.notice) await sendMessage(i, { ...reply.notice, private: true }, 'followUp');
}

/** Discord cannot keep a modal open to show field errors; the problems come back as a private message. */
function shown(reply: Reply): ShownReply {
  return reply.kind === 'form-errors' ? { kind: 'message', message: { ...reply.message, private: true } } : reply;
}

async function respond(i: Answerable, work: () => Promise<Reply>, deps: InteractionDeps): Promise<void> {
  const outcome = work().then(shown, (err: unknown) => errorReply(err, deps.log));
  let timer: NodeJS.Timeout | undefined;
  const early = await Promise.race([
    outcome,
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), deps.ackAfterMs);
    }),
  ]);
  clearTimeout(timer);
  if (early) return answerNow(i, early, deps);
  let deferred: 'update' | 'reply';
  if (canUpdate(i)) {
    await i.deferUpdate();
    deferred = 'update';
  } else {
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    deferred = 'reply';
  }
  return answerLate(i, await outcome, deferred, deps);
}

function actorOf(i: Interaction, deps: InteractionDeps) {
  return toActor(i.user, i.member as Parameters<typeof toActor>[1], i.memberPermissions, i.guildId, deps.adminIds);
}

async function onCommand(i: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const actor = actorOf(i, deps);
  const place = { channelId: i.channelId };
  await respond(
    i,
    async () => {
      const command = toCommand({
        commandName: i.commandName,
        subcommand: i.options.getSubcommand(false),
        getString: (name) => i.options.getString(name),
        getUser: (name) => {
          const user = i.options.getUser(name);
          return user ? userRef(user, i.options.getMember(name) as Parameters<typeof userRef>[1]) : null;
        },
        getChannel: (name) => {
          const channel = i.options.getChannel(name);
          return channel ? { id: channel.id, ...(channel.name ? { name: channel.name } : {}) } : null;
        },
      });
      return deps.core.command(actor, place, command);
    },
    deps,
  );
}

async function onButton(i: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  // A component from an old or foreign message may come without an id: it is simply out of date.
  const { action, value } = parseCustomId(i.customId ?? '');
  if (action === OPEN_FORM) {
    const form = deps.forms.get(value);
    if (form) await i.showModal(renderModal(form, modalId(deps, form)));
    else await sendMessage(i, { text: TEXT.formExpired, private: true }, 'reply');
    return;
  }
  if (!isActionId(action)) {
    await sendMessage(i, { text: TEXT.unknownButton, private: true }, 'reply');
    return;
  }
  const actor = actorOf(i, deps);
  const place = { channelId: i.channelId, messageId: i.message.id };
  await respond(i, () => deps.core.action(actor, place, action as ActionId, value), deps);
}

async function onModal(i: ModalSubmitInteraction, deps: InteractionDeps): Promise<void> {
  const parsed = parseModalId(deps, i.customId);
  if (!parsed) {
    await sendMessage(i, { text: TEXT.formExpired, private: true }, 'reply');
    return;
  }
  const values = readFormValues(
    [...i.fields.fields.values()].map((f) => ({
      customId: f.customId,
      ...('values' in f ? { values: f.values as string[] } : {}),
      ...('value' in f && typeof f.value === 'string' ? { value: f.value } : {}),
    })),
  );
  const actor = actorOf(i, deps);
  const place = i.message ? { channelId: i.channelId ?? '', messageId: i.message.id } : { channelId: i.channelId ?? '' };
  await respond(i, () => deps.core.submitForm(actor, place, parsed.formId, parsed.state, values), deps);
}

async function onAutocomplete(i: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const focused = i.options.getFocused(true);
  let choices: Choice[] = [];
  if (focused.name === 'program') choices = programChoices(deps.content.programs.values(), String(focused.value));
  else if (focused.name === 'tz') choices = timeZoneChoices(String(focused.value));
  await i.respond(choices);
}

export async function handleInteraction(i: Interaction, deps: InteractionDeps): Promise<void> {
  try {
    if (i.isAutocomplete()) return await onAutocomplete(i, deps);
    if (!(await firstToHandle(deps.core.deps.db, `interaction:${i.id}`, deps.core.deps.clock.now(), deps.log))) {
      deps.log.info({ interaction: i.id }, 'skipped an interaction another process is handling');
      return;
    }
    if (i.isChatInputCommand()) await onCommand(i, deps);
    else if (i.isButton()) await onButton(i, deps);
    else if (i.isModalSubmit()) await onModal(i, deps);
  } catch (err) {
    deps.log.error({ err, interaction: i.id }, 'could not answer a discord interaction');
  }
}
