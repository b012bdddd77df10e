import { ComponentType, InteractionResponseType, MessageFlags, TextInputStyle } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FormSpec } from '../../../src/core/chat.js';
import { useTestDb } from '../../helpers/db.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { autocomplete, CHANNEL_ID, chatInput, MARIA, OLGA, SAM, TOM } from './payloads.js';

const t = useTestDb();
const core = new FakeCore(() => t.db);
const h = useDiscord({ core: () => core, content: () => loadContent('content'), adminIds: [{ platform: 'discord', userId: TOM.user.id }] });

beforeEach(() => core.reset());

/** The one interaction response Discord got. */
function onlyCallback() {
  expect(h.fake.callbacks).toHaveLength(1);
  return h.fake.callbacks[0]!;
}

const isEphemeral = (flags: number | undefined) => ((flags ?? 0) & MessageFlags.Ephemeral) !== 0;

const commands = () => core.calls.map((c) => (c.fn === 'command' ? c.command : c));

describe('slash commands become core commands', () => {
  it('/checkin with a status and a note checks in at once', async () => {
    await h.interact(chatInput('checkin', { options: { status: 'blocked', note: '  Docker build fails on M1  ' } }));
    expect(commands()).toEqual([{ name: 'checkin', status: 'blocked', note: 'Docker build fails on M1' }]);
    const cb = onlyCallback();
    expect(cb.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(cb.data.content).toBe('ok');
    expect(isEphemeral(cb.data.flags)).toBe(true);
  });

  it('/checkin with a note but no status is refused with the usage, and the core is not asked', async () => {
    await h.interact(chatInput('checkin', { options: { note: 'going well' } }));
    expect(core.calls).toEqual([]);
    const cb = onlyCallback();
    expect(isEphemeral(cb.data.flags)).toBe(true);
    expect(cb.data.content).toContain('A note goes with a status');
    expect(cb.data.content).toContain('Usage: `/checkin [status:on-track|behind|blocked|done] [note:text]`');
  });

  it('/cohort-admin edit passes a picked channel and a cohort name as the core reads them', async () => {
    const channel = { channel: { id: '3300000000000000012', name: 'summer-cohort' } };
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'edit', options: { channel, cohort: ' Spring 2026 ' } }));
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'edit', options: { time: '10:00' } }));
    // Copied from the core's hint, quotes and all.
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'edit', options: { channel, cohort: '"Spring 2026"' } }));
    expect(commands()).toEqual([
      { name: 'cohort.edit', cohort: 'Spring 2026', channel: { id: '3300000000000000012', name: 'summer-cohort' } },
      { name: 'cohort.edit', time: '10:00' },
      { name: 'cohort.edit', cohort: 'Spring 2026', channel: { id: '3300000000000000012', name: 'summer-cohort' } },
    ]);
  });

  it('/cohort-admin edit with nothing to change is refused with the usage', async () => {
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'edit', options: { cohort: 'Spring 2026' } }));
    expect(core.calls).toEqual([]);
    expect(onlyCallback().data.content).toContain('Say what to change: day, time, tz or channel.');
    expect(onlyCallback().data.content).toContain('[channel:#channel] [cohort:name]');
  });

  it('/progress without a user is about yourself; with one names that member', async () => {
    await h.interact(chatInput('progress', { by: SAM }));
    await h.interact(chatInput('progress', { by: SAM, options: { user: MARIA } }));
    expect(commands()).toEqual([{ name: 'progress' }, { name: 'progress', user: { id: MARIA.user.id, name: 'Maria' } }]);
  });

  it('/faq passes the question; a public answer is visible to the channel with its buttons', async () => {
    core.answer = () => ({
      kind: 'message',
      message: {
        text: '**How long does the move take?**\nAbout a year of evenings.\nSources: [Chip Huyen](https://huyenchip.com)',
        buttons: [
          { action: 'faq.helpful', label: 'Helpful', value: '17', style: 'primary' },
          { action: 'faq.unhelpful', label: 'Not helpful', value: '17' },
        ],
      },
    });
    await h.interact(chatInput('faq', { options: { question: 'how long does the move to MLE take?' } }));
    expect(commands()).toEqual([{ name: 'faq', question: 'how long does the move to MLE take?' }]);
    const cb = onlyCallback();
    expect(isEphemeral(cb.data.flags)).toBe(false);
    expect(cb.data.flags & MessageFlags.SuppressEmbeds).toBe(MessageFlags.SuppressEmbeds);
    expect(cb.data.content).toContain('[Chip Huyen](https://huyenchip.com)');
    expect(cb.data.components).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, custom_id: 'faq.helpful|17', label: 'Helpful', style: 1 },
          { type: ComponentType.Button, custom_id: 'faq.unhelpful|17', label: 'Not helpful', style: 2 },
        ],
      },
    ]);
  });

  it('/faq with only spaces is refused', async () => {
    await h.interact(chatInput('faq', { options: { question: '   ' } }));
    expect(core.calls).toEqual([]);
    expect(onlyCallback().data.content).toContain('Ask a question after /faq.');
  });

  it('/away takes a YYYY-MM-DD date and refuses anything else', async () => {
    await h.interact(chatInput('away', { options: { date: '2026-12-31' } }));
    expect(commands()).toEqual([{ name: 'away', until: '2026-12-31' }]);
    h.fake.reset();
    await h.interact(chatInput('away', { options: { date: '31.12.2026' } }));
    expect(core.calls).toHaveLength(1);
    expect(onlyCallback().data.content).toBe('"31.12.2026" is not a date in YYYY-MM-DD form.\nUsage: `/away [date:YYYY-MM-DD|back]`');
    h.fake.reset();
    await h.interact(chatInput('away', { options: { date: 'back' } }));
    await h.interact(chatInput('away', {}));
    expect(commands().slice(-2)).toEqual([{ name: 'away.back' }, { name: 'away.show' }]);
  });

  it('/cohort join and /cohort status', async () => {
    await h.interact(chatInput('cohort', { sub: 'join' }));
    await h.interact(chatInput('cohort', { sub: 'status', by: SAM }));
    expect(commands()).toEqual([{ name: 'cohort.join' }, { name: 'cohort.status' }]);
  });

  it('/cohort-admin create maps every option and runs in the channel it was typed in', async () => {
    await h.interact(
      chatInput('cohort-admin', {
        by: OLGA,
        sub: 'create',
        options: { name: 'Spring 2026', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' },
      }),
    );
    expect(core.calls).toEqual([
      expect.objectContaining({
        fn: 'command',
        place: { channelId: CHANNEL_ID },
        command: { name: 'cohort.create', cohortName: 'Spring 2026', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' },
      }),
    ]);
  });

  it('/cohort-admin create with a bad start date is refused with the create usage', async () => {
    await h.interact(
      chatInput('cohort-admin', {
        by: OLGA,
        sub: 'create',
        options: { name: 'Spring', program: 'ds-to-mle', start: 'next monday', day: 'mon', time: '09:00', tz: 'UTC' },
      }),
    );
    expect(core.calls).toEqual([]);
    const text = onlyCallback().data.content as string;
    expect(text).toContain('"next monday" is not a date in YYYY-MM-DD form.');
    expect(text).toContain('`/cohort-admin create name:text program:id start:YYYY-MM-DD day:mon..sun time:HH:MM tz:Area/City`');
  });

  it('/cohort-admin add, mentor and remove name the picked member', async () => {
    for (const sub of ['add', 'mentor', 'remove']) await h.interact(chatInput('cohort-admin', { by: OLGA, sub, options: { user: SAM } }));
    const sam = { id: SAM.user.id, name: 'Sam (mentor)' };
    expect(commands()).toEqual([
      { name: 'cohort.add', user: sam },
      { name: 'cohort.mentor', user: sam },
      { name: 'cohort.remove', user: sam },
    ]);
  });

  it('/cohort-admin pause, resume and skip', async () => {
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'pause' }));
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'resume' }));
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'skip', options: { date: '2026-04-06' } }));
    await h.interact(chatInput('cohort-admin', { by: OLGA, sub: 'skip', options: { date: 'easter' } }));
    expect(commands()).toEqual([{ name: 'cohort.pause' }, { name: 'cohort.resume' }, { name: 'cohort.skip', date: '2026-04-06' }]);
    expect(h.fake.callbacks.at(-1)!.data.content).toBe('"easter" is not a date in YYYY-MM-DD form.\nUsage: `/cohort-admin skip date:YYYY-MM-DD`');
  });

  it('/stalled', async () => {
    await h.interact(chatInput('stalled', { by: SAM }));
    expect(commands()).toEqual([{ name: 'stalled' }]);
  });
});

describe('the same interaction twice', () => {
  it('is handled once, as when two gateway sessions receive it', async () => {
    const payload = chatInput('checkin', { options: { status: 'done' } });
    await h.interact(payload);
    await h.interact(payload);
    expect(core.calls).toHaveLength(1);
    expect(h.fake.callbacks).toHaveLength(1);
  });
});

describe('who is asking', () => {
  it('Manage Server makes an organizer; a plain member is not; ADMIN_USER_IDS lists others', async () => {
    await h.interact(chatInput('stalled', { by: OLGA }));
    await h.interact(chatInput('stalled', { by: MARIA }));
    await h.interact(chatInput('stalled', { by: TOM }));
    expect(core.calls.map((c) => [c.actor.displayName, c.actor.isAdmin])).toEqual([
      ['Olga', true],
      ['Maria', false],
      // No global name: the username.
      ['tom', true],
    ]);
    expect(core.calls[0]!.actor).toMatchObject({ platform: 'discord', userId: OLGA.user.id, workspaceId: expect.stringMatching(/^\d+$/) });
  });

  it('the server nickname wins over the global name', async () => {
    await h.interact(chatInput('stalled', { by: SAM }));
    expect(core.calls[0]!.actor.displayName).toBe('Sam (mentor)');
  });
});

describe('rendering replies', () => {
  const form: FormSpec = {
    id: 'checkin',
    title: 'Week 3 check-in',
    submitLabel: 'Save',
    state: '42',
    fields: [
      {
        id: 'status',
        label: 'How is Containerization and serving going?',
        kind: 'select',
        options: [
          { value: 'on-track', label: 'On track' },
          { value: 'behind', label: 'Behind' },
          { value: 'blocked', label: 'Blocked' },
          { value: 'done', label: 'Done' },
        ],
        initial: 'behind',
        optional: false,
      },
      {
        id: 'milestones',
        label: 'Milestones completed',
        kind: 'multiselect',
        options: [
          { value: 'production-code', label: 'Week 4: Production code baseline' },
          { value: 'ci-cd', label: 'Week 12: CI/CD pipeline' },
        ],
        optional: true,
      },
      { id: 'confidence', label: 'Confidence (1 = lost, 5 = could teach it)', kind: 'select', options: ['1', '2', '3', '4', '5'].map((v) => ({ value: v, label: v })), optional: true },
      { id: 'blocker', label: 'Blocker', kind: 'text', optional: true, placeholder: 'What is stopping you, if anything?', maxLength: 500 },
      { id: 'note', label: 'Note', kind: 'textarea', optional: true, initial: 'half way', maxLength: 2000 },
    ],
  };

  it('/checkin without options opens the form as a modal with real selects', async () => {
    core.answer = () => ({ kind: 'form', form });
    await h.interact(chatInput('checkin'));
    expect(commands()).toEqual([{ name: 'checkin' }]);
    const cb = onlyCallback();
    expect(cb.type).toBe(InteractionResponseType.Modal);
    expect(cb.data.custom_id).toBe('checkin|42');
    // "Week 3 check-in" fits the 45-character title; labels are cut to 45 with an ellipsis.
    expect(cb.data.title).toBe('Week 3 check-in');
    const [status, milestones, confidence, blocker, note] = cb.data.components;
    expect(status).toEqual({
      type: ComponentType.Label,
      label: 'How is Containerization and serving going?',
      component: {
        type: ComponentType.StringSelect,
        custom_id: 'status',
        options: [
          { label: 'On track', value: 'on-track', default: false },
          { label: 'Behind', value: 'behind', default: true },
          { label: 'Blocked', value: 'blocked', default: false },
          { label: 'Done', value: 'done', default: false },
        ],
        min_values: 1,
        max_values: 1,
        required: true,
      },
    });
    expect(milestones.component).toMatchObject({ type: ComponentType.StringSelect, custom_id: 'milestones', min_values: 0, max_values: 2, required: false });
    expect(confidence.label).toBe('Confidence (1 = lost, 5 = could teach it)');
    expect(blocker.component).toMatchObject({ type: ComponentType.TextInput, style: TextInputStyle.Short, required: false, max_length: 500, placeholder: 'What is stopping you, if anything?' });
    expect(note.component).toMatchObject({ type: ComponentType.TextInput, style: TextInputStyle.Paragraph, value: 'half way' });
  });

  it('splits an answer longer than 2,000 characters and puts the buttons on the last part', async () => {
    const paragraph = `${'word '.repeat(150).trim()}.`;
    const text = Array.from({ length: 5 }, () => paragraph).join('\n\n');
    core.answer = () => ({ kind: 'message', message: { text, private: true, buttons: [{ action: 'faq.helpful', label: 'Helpful', value: '1' }] } });
    await h.interact(chatInput('faq', { options: { question: 'long?' } }));
    const cb = onlyCallback();
    const follow = h.fake.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/webhooks/') && c.path.endsWith(`/${cb.token}`));
    expect(follow.length).toBeGreaterThan(0);
    const parts = [cb.data, ...follow.map((c) => c.body)];
    for (const part of parts) {
      expect(part.content.length).toBeLessThanOrEqual(2000);
      expect(isEphemeral(part.flags)).toBe(true);
    }
    expect(parts.map((p) => p.components.length)).toEqual([...parts.slice(1).map(() => 0), 1]);
    expect(parts.map((p) => p.content).join('\n\n')).toBe(text);
  });

  it('names the organizer commands as registered on Discord', async () => {
    core.answer = () => ({ kind: 'message', message: { text: 'Organizers: `/cohort mentor @user` adds a mentor. Learners: `/cohort join`.', private: false } });
    await h.interact(chatInput('cohort', { sub: 'join' }));
    expect(onlyCallback().data.content).toBe('Organizers: `/cohort-admin mentor @user` adds a mentor. Learners: `/cohort join`.');
  });

  it('a failure in the core becomes a private apology', async () => {
    core.answer = () => {
      throw new Error('database went away');
    };
    await h.interact(chatInput('stalled', { by: SAM }));
    const cb = onlyCallback();
    expect(isEphemeral(cb.data.flags)).toBe(true);
    expect(cb.data.content).toMatch(/^Something went wrong on our side/);
  });
});

describe('autocomplete', () => {
  it('program suggests the programs in the content directory', async () => {
    await h.interact(autocomplete('cohort-admin', { sub: 'create', options: { name: 'Spring', program: 'mle' }, focused: 'program' }));
    const cb = onlyCallback();
    expect(cb.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    expect(cb.data.choices).toEqual([{ name: 'Data scientist to ML engineer (ds-to-mle)', value: 'ds-to-mle' }]);
  });

  it('program with nothing matching suggests nothing', async () => {
    await h.interact(autocomplete('cohort-admin', { sub: 'create', options: { program: 'kubernetes' }, focused: 'program' }));
    expect(onlyCallback().data.choices).toEqual([]);
  });

  it('tz finds IANA zones by city, with spaces for underscores, best match first', async () => {
    await h.interact(autocomplete('cohort-admin', { sub: 'create', options: { tz: 'new york' }, focused: 'tz' }));
    expect(onlyCallback().data.choices[0]).toEqual({ name: 'America/New York', value: 'America/New_York' });
  });

  it('tz returns at most 25 zones, all containing what was typed', async () => {
    await h.interact(autocomplete('cohort-admin', { sub: 'create', options: { tz: 'america/' }, focused: 'tz' }));
    const choices = onlyCallback().data.choices as Array<{ value: string }>;
    expect(choices).toHaveLength(25);
    expect(choices.every((c) => c.value.startsWith('America/'))).toBe(true);
  });

  it('tz before anything is typed offers common zones that exist', async () => {
    await h.interact(autocomplete('cohort-admin', { sub: 'create', options: { tz: '' }, focused: 'tz' }));
    const values = (onlyCallback().data.choices as Array<{ value: string }>).map((c) => c.value);
    expect(values.length).toBeGreaterThan(5);
    expect(values.length).toBeLessThanOrEqual(25);
    expect(values).toContain('Europe/Berlin');
    for (const zone of values) expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
  });
});
