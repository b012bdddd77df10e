import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FormSpec } from '../../../src/core/chat.js';
import { useTestDb } from '../../helpers/db.js';
import { delay, FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { botMessage, buttonClick, CHANNEL_ID, chatInput, MARIA, modalSubmit, nextId, SAM } from './payloads.js';

const t = useTestDb();
const core = new FakeCore(() => t.db);
// A short wait before deferring, so the slow path runs in milliseconds.
const h = useDiscord({ core: () => core, content: () => loadContent('content'), ackAfterMs: 150 });

beforeEach(() => core.reset());

const isEphemeral = (flags: number | undefined) => ((flags ?? 0) & MessageFlags.Ephemeral) !== 0;

const roundPost = () =>
  botMessage({
    id: nextId(),
    channel_id: CHANNEL_ID,
    content: '**Week 3 of 24 · Containerization and serving**',
    components: [
      {
        type: 1,
        components: [
          { type: 2, custom_id: 'checkin.status|42:on-track', label: 'On track', style: 1 },
          { type: 2, custom_id: 'checkin.details|42', label: 'Details…', style: 2 },
        ],
      },
    ],
  });

const form: FormSpec = {
  id: 'checkin',
  title: 'Week 3 check-in',
  submitLabel: 'Save',
  state: '42',
  fields: [
    { id: 'status', label: 'How is it going?', kind: 'select', options: [{ value: 'on-track', label: 'On track' }], optional: false },
    { id: 'note', label: 'Note', kind: 'textarea', optional: true },
  ],
};

/** Follow-up messages (POST on the interaction's webhook). */
const followUps = (token: string) => h.fake.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/webhooks/') && c.path.endsWith(`/${token}`)).map((c) => c.body);
const edits = (token: string) => h.fake.calls.filter((c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/@original`)).map((c) => c.body);

describe('buttons', () => {
  it('a one-click check-in asks the core with the round value and the clicked message, and answers privately', async () => {
    core.answer = () => ({ kind: 'message', message: { text: 'Recorded: **On track** for week 3.', private: true } });
    const post = roundPost();
    await h.interact(buttonClick('checkin.status|42:on-track', post));
    expect(core.calls).toEqual([
      expect.objectContaining({ fn: 'action', action: 'checkin.status', value: '42:on-track', place: { channelId: CHANNEL_ID, messageId: post.id } }),
    ]);
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(cb!.data.content).toBe('Recorded: **On track** for week 3.');
    expect(isEphemeral(cb!.data.flags)).toBe(true);
  });

  it('Details… opens the form as the first response', async () => {
    core.answer = () => ({ kind: 'form', form });
    await h.interact(buttonClick('checkin.details|42', roundPost()));
    expect(core.calls[0]).toMatchObject({ fn: 'action', action: 'checkin.details', value: '42' });
    expect(h.fake.callbacks).toHaveLength(1);
    expect(h.fake.callbacks[0]).toMatchObject({ type: InteractionResponseType.Modal, data: { custom_id: 'checkin|42', title: 'Week 3 check-in' } });
  });

  it('an update replaces the clicked message and shows the notice privately', async () => {
    core.answer = () => ({
      kind: 'update',
      message: { text: 'Stall flag for Maria: acknowledged by Sam.', buttons: [{ action: 'flag.resolve', label: 'Resolve', value: '7' }] },
      notice: { text: 'Acknowledged. Maria will not be flagged again for this.' },
    });
    const alert = botMessage({ id: nextId(), channel_id: CHANNEL_ID, content: 'Stall flag for Maria' });
    await h.interact(buttonClick('flag.ack|7', alert, { by: SAM }));
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.UpdateMessage);
    expect(cb!.data.content).toBe('Stall flag for Maria: acknowledged by Sam.');
    expect(cb!.data.components[0].components[0].custom_id).toBe('flag.resolve|7');
    const notices = followUps(cb!.token);
    expect(notices).toHaveLength(1);
    expect(notices[0].content).toBe('Acknowledged. Maria will not be flagged again for this.');
    expect(isEphemeral(notices[0].flags)).toBe(true);
  });

  it('a component that comes without a custom_id gets the out-of-date note, not an error', async () => {
    const click = buttonClick('x', roundPost());
    delete (click.data as { custom_id?: string }).custom_id;
    await h.interact(click);
    expect(core.calls).toEqual([]);
    expect(h.fake.callbacks[0]!.data.content).toMatch(/no longer works/);
    expect(isEphemeral(h.fake.callbacks[0]!.data.flags)).toBe(true);
  });

  it('a button the bot does not know gets a private note and reaches no core', async () => {
    await h.interact(buttonClick('poll.vote|3', roundPost()));
    expect(core.calls).toEqual([]);
    expect(h.fake.callbacks[0]!.data.content).toMatch(/no longer works/);
    expect(isEphemeral(h.fake.callbacks[0]!.data.flags)).toBe(true);
  });
});

describe('the check-in modal', () => {
  it('submitted answers reach the core as form values; empty answers are left out', async () => {
    core.answer = () => ({ kind: 'message', message: { text: 'Recorded: **Blocked** for week 3.', private: true } });
    const post = roundPost();
    await h.interact(
      modalSubmit(
        'checkin|42',
        { status: ['blocked'], milestones: ['production-code', 'containerization-serving'], confidence: ['2'], blocker: '  GPU quota on the cluster ', note: '' },
        { message: post },
      ),
    );
    expect(core.calls).toEqual([
      expect.objectContaining({
        fn: 'submitForm',
        formId: 'checkin',
        state: '42',
        place: { channelId: CHANNEL_ID, messageId: post.id },
        values: { status: 'blocked', milestones: ['production-code', 'containerization-serving'], confidence: '2', blocker: 'GPU quota on the cluster' },
      }),
    ]);
    expect(h.fake.callbacks[0]!.data.content).toBe('Recorded: **Blocked** for week 3.');
  });

  it('a submission from /checkin (no message) works the same', async () => {
    await h.interact(modalSubmit('checkin|42', { status: ['on-track'], confidence: [], note: 'fine' }));
    expect(core.calls[0]).toMatchObject({ fn: 'submitForm', state: '42', place: { channelId: CHANNEL_ID }, values: { status: 'on-track', note: 'fine' } });
  });

  it('field errors come back as a private message (a Discord modal cannot stay open)', async () => {
    core.answer = () => ({ kind: 'form-errors', errors: { confidence: 'Confidence must be a whole number from 1 to 5.' }, message: { text: 'Confidence must be a whole number from 1 to 5.' } });
    await h.interact(modalSubmit('checkin|42', { status: ['on-track'], confidence: ['9'] }));
    const [cb] = h.fake.callbacks;
    expect(cb!.data.content).toBe('Confidence must be a whole number from 1 to 5.');
    expect(isEphemeral(cb!.data.flags)).toBe(true);
  });

  it('an unknown modal is answered as expired', async () => {
    await h.interact(modalSubmit('survey|1', { status: ['on-track'] }));
    expect(core.calls).toEqual([]);
    expect(h.fake.callbacks[0]!.data.content).toMatch(/expired/);
  });
});

describe('a slow core: acknowledge within 3 s, answer later', () => {
  const slowly = <T>(value: T) => async () => {
    await delay(400);
    return value;
  };

  it('a slow private answer defers privately and then edits the deferred reply', async () => {
    core.answer = slowly({ kind: 'message' as const, message: { text: 'Your progress: 2 of 7 milestones.', private: true } });
    await h.interact(chatInput('progress', { by: MARIA }));
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(isEphemeral(cb!.data.flags)).toBe(true);
    expect(edits(cb!.token).map((b) => b.content)).toEqual(['Your progress: 2 of 7 milestones.']);
    // An edit cannot set the ephemeral flag; the deferral already did.
    expect(isEphemeral(edits(cb!.token)[0].flags)).toBe(false);
  });

  it('a slow public answer replaces the private deferral with a public message', async () => {
    core.answer = slowly({ kind: 'message' as const, message: { text: 'Cohort **Spring** is set up in this channel.', private: false } });
    await h.interact(chatInput('cohort', { sub: 'join' }));
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(h.fake.calls.some((c) => c.method === 'DELETE' && c.path.endsWith(`/${cb!.token}/messages/@original`))).toBe(true);
    const visible = h.fake.responses(cb!.token);
    expect(visible).toHaveLength(1);
    expect(visible[0]!.content).toBe('Cohort **Spring** is set up in this channel.');
    expect(isEphemeral(visible[0]!.flags)).toBe(false);
  });

  it('a slow form is offered behind a button, which then opens it at once', async () => {
    core.answer = slowly({ kind: 'form' as const, form });
    await h.interact(chatInput('checkin'));
    const [deferred] = h.fake.callbacks;
    expect(deferred!.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const [edit] = edits(deferred!.token);
    const button = edit.components[0].components[0];
    expect(button.label).toBe('Open the form');

    core.reset();
    await h.interact(buttonClick(button.custom_id, botMessage({ id: nextId(), channel_id: CHANNEL_ID, flags: MessageFlags.Ephemeral })));
    expect(core.calls).toEqual([]);
    const opened = h.fake.callbacks.at(-1)!;
    expect(opened).toMatchObject({ type: InteractionResponseType.Modal, data: { custom_id: 'checkin|42', title: 'Week 3 check-in' } });
  });

  it('a slow update to a clicked message defers the update and then edits the message', async () => {
    core.answer = slowly({ kind: 'update' as const, message: { text: 'Resolved by Sam.' }, notice: { text: 'Resolved.' } });
    await h.interact(buttonClick('flag.resolve|7', botMessage({ id: nextId(), channel_id: CHANNEL_ID, content: 'Stall flag' }), { by: SAM }));
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(edits(cb!.token).map((b) => b.content)).toEqual(['Resolved by Sam.']);
    expect(followUps(cb!.token).map((b) => [b.content, isEphemeral(b.flags)])).toEqual([['Resolved.', true]]);
  });

  it('a slow answer to a click follows up with its own visibility', async () => {
    core.answer = slowly({ kind: 'message' as const, message: { text: 'Recorded: **Done**.', private: true } });
    await h.interact(buttonClick('checkin.status|42:done', roundPost()));
    const [cb] = h.fake.callbacks;
    expect(cb!.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(followUps(cb!.token).map((b) => [b.content, isEphemeral(b.flags)])).toEqual([['Recorded: **Done**.', true]]);
  });
});
