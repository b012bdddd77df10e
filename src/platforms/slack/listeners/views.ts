import type { App } from '@slack/bolt';
import type { FormId, Reply } from '../../../core/chat.js';
import { decodeFormMetadata, FORM_CALLBACK_PREFIX, readFormValues, renderForm } from '../blocks.js';
import { deliver, errorMessage, type Interaction } from '../reply.js';
import type { ListenerDeps } from './deps.js';

/** Slack closes the modal with an error after 3 s; the core must have answered well before that. */
const SUBMIT_BUDGET_MS = 2300;

type Outcome = { ok: true; reply: Reply } | { ok: false; err: unknown };

function formIdOf(callbackId: string): FormId {
  return callbackId.slice(FORM_CALLBACK_PREFIX.length) === 'faq-answer' ? 'faq-answer' : 'checkin';
}

export function registerViews(app: App, deps: ListenerDeps): void {
  app.view({ callback_id: new RegExp(`^${FORM_CALLBACK_PREFIX}`), type: 'view_submission' }, async ({ ack, body, view, client }) => {
    const started = Date.now();
    const fieldIds = view.blocks.filter((b) => b.type === 'input' && b.block_id).map((b) => b.block_id!);
    const meta = decodeFormMetadata(view.private_metadata);
    if (!meta || fieldIds.length === 0) {
      await ack({ response_action: 'errors', errors: { [fieldIds[0] ?? 'status']: 'This form is out of date. Close it and run /checkin again.' } });
      return;
    }
    const actor = await deps.actors.resolve(body.user.id, body.team?.id ?? null, body.user.name);
    const call: Promise<Outcome> = deps.core
      .submitForm(actor, { channelId: meta.channelId ?? '' }, formIdOf(view.callback_id), meta.state, readFormValues(view.state.values))
      .then((reply) => ({ ok: true as const, reply }), (err: unknown) => ({ ok: false as const, err }));
    let timer: NodeJS.Timeout | undefined;
    const early = await Promise.race([
      call,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), Math.max(0, SUBMIT_BUDGET_MS - (Date.now() - started)));
      }),
    ]);
    clearTimeout(timer);

    if (early?.ok && early.reply.kind === 'form-errors') {
      // Each problem next to its field; one for a field this modal lacks goes on the first field.
      const errors: Record<string, string> = {};
      for (const [field, text] of Object.entries(early.reply.errors)) {
        const at = fieldIds.includes(field) ? field : fieldIds[0]!;
        errors[at] = errors[at] ? `${errors[at]} ${text}` : String(text);
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    if (early?.ok && early.reply.kind === 'form') {
      await ack({ response_action: 'update', view: renderForm(early.reply.form, meta) });
      return;
    }
    await ack();
    const outcome = early ?? (await call);
    const ix: Interaction = { client, actor, channelId: meta.channelId };
    const reply: Reply = outcome.ok ? outcome.reply : { kind: 'message', message: errorMessage(outcome.err, deps.log, { form: 'checkin' }) };
    await deliver(ix, reply, deps);
  });
}
