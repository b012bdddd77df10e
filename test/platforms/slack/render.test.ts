import { describe, expect, it } from 'vitest';
import type { FormSpec } from '../../../src/core/chat.js';
import {
  decodeActionId,
  decodeFormMetadata,
  encodeActionId,
  readFormValues,
  renderForm,
  renderMessage,
  splitSections,
} from '../../../src/platforms/slack/blocks.js';
import { toMrkdwn } from '../../../src/platforms/slack/mrkdwn.js';
import { mentionText } from '../../../src/platforms/slack/listeners/events.js';
import { slackApiBase } from '../../../src/platforms/slack/app.js';

describe('CommonMark to Slack mrkdwn', () => {
  it('turns bold, italics, links, headings and lists into their Slack forms', () => {
    const md = ['# Week 3', '**Goal:** ship a *small* service', '- read [the guide](https://example.com/guide)', '  - nested item', '~~old~~ plan'].join('\n');
    expect(toMrkdwn(md)).toBe(['*Week 3*', '*Goal:* ship a _small_ service', '• read <https://example.com/guide|the guide>', '    • nested item', '~old~ plan'].join('\n'));
  });

  it('escapes &, < and > but keeps user mentions and code literal', () => {
    expect(toMrkdwn('<@U0LEARN1> wrote `a<b && **c**` & said 2 > 1')).toBe('<@U0LEARN1> wrote `a&lt;b &amp;&amp; **c**` &amp; said 2 &gt; 1');
  });

  it('keeps fenced code untouched apart from escaping', () => {
    expect(toMrkdwn('```\nif a < b: **x**\n```')).toBe('```\nif a &lt; b: **x**\n```');
  });

  it('keeps quotes as Slack quotes', () => {
    expect(toMrkdwn('> blocked by **docker**')).toBe('>blocked by *docker*');
  });
});

describe('Block Kit rendering', () => {
  it('renders text as mrkdwn sections and buttons as one actions block with unique action ids', () => {
    const { text, blocks } = renderMessage({
      text: '**Week 1** of 6',
      buttons: [
        { action: 'checkin.status', label: 'On track', value: '7:on-track', style: 'primary' },
        { action: 'checkin.status', label: 'Behind', value: '7:behind' },
        { action: 'checkin.details', label: 'Details…', value: '7' },
      ],
    });
    expect(text).toBe('*Week 1* of 6');
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Week 1* of 6' } });
    const actions = blocks[1] as { type: string; elements: Array<{ action_id: string; value: string; style?: string; text: { text: string } }> };
    expect(actions.type).toBe('actions');
    expect(actions.elements.map((e) => e.action_id)).toEqual(['checkin.status:0', 'checkin.status:1', 'checkin.details:2']);
    expect(actions.elements.map((e) => e.value)).toEqual(['7:on-track', '7:behind', '7']);
    expect(actions.elements[0]!.style).toBe('primary');
    expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(3);
  });

  it('splits a long text into sections Slack accepts (3000 characters each)', () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i} with some words to fill the space`).join('\n');
    const { blocks } = renderMessage({ text: long });
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect((b as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(blocks.map((b) => (b as { text: { text: string } }).text.text).join('\n')).toBe(long);
  });

  it('never splits a single over-long line beyond the limit', () => {
    const parts = splitSections('word '.repeat(1000), 300);
    expect(parts.every((p) => p.length <= 300)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ').trim()).toBe('word '.repeat(1000).trim());
  });

  it('stays within 50 blocks however long the text', () => {
    const huge = Array.from({ length: 60 }, (_, i) => `${i}`.padEnd(2990, 'x')).join('\n');
    const { blocks } = renderMessage({ text: huge, buttons: [{ action: 'faq.helpful', label: 'Helpful', value: '1' }] });
    expect(blocks.length).toBe(50);
    expect(blocks.at(-1)!.type).toBe('actions');
  });

  it('reads action ids back, and refuses ones it did not render', () => {
    expect(decodeActionId(encodeActionId('flag.ack', 3))).toBe('flag.ack');
    expect(decodeActionId('flag.delete:0')).toBeNull();
    expect(decodeActionId('checkin.status')).toBeNull();
  });
});

describe('check-in form as a modal', () => {
  const form: FormSpec = {
    id: 'checkin',
    title: 'Week 12 check-in for the spring cohort',
    submitLabel: 'Save',
    state: '42',
    fields: [
      { id: 'status', label: 'How is it going?', kind: 'select', options: [{ value: 'on-track', label: 'On track' }, { value: 'blocked', label: 'Blocked' }], initial: 'blocked', optional: false },
      { id: 'milestones', label: 'Milestones completed', kind: 'multiselect', options: [{ value: 'ci-cd', label: 'Week 8: CI/CD' }, { value: 'serving', label: 'Week 6: Serving' }], initial: ['serving'], optional: true },
      { id: 'confidence', label: 'Confidence', kind: 'select', options: ['1', '2', '3', '4', '5'].map((v) => ({ value: v, label: v })), optional: true },
      { id: 'blocker', label: 'Blocker', kind: 'text', initial: 'docker', optional: true, maxLength: 500, placeholder: 'What is stopping you?' },
      { id: 'note', label: 'Note', kind: 'textarea', optional: true, maxLength: 2000 },
    ],
  };

  it('renders every field as an input block with its pre-filled value and the state in private_metadata', () => {
    const view = renderForm(form, { state: form.state, channelId: 'C0COHORT' });
    expect(view.type).toBe('modal');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(decodeFormMetadata(view.private_metadata!)).toEqual({ state: '42', channelId: 'C0COHORT' });
    const blocks = view.blocks as any[];
    expect(blocks.map((b) => [b.block_id, b.element.type, b.optional])).toEqual([
      ['status', 'static_select', false],
      ['milestones', 'multi_static_select', true],
      ['confidence', 'static_select', true],
      ['blocker', 'plain_text_input', true],
      ['note', 'plain_text_input', true],
    ]);
    expect(blocks[0].element.initial_option.value).toBe('blocked');
    expect(blocks[1].element.initial_options.map((o: any) => o.value)).toEqual(['serving']);
    expect(blocks[2].element.initial_option).toBeUndefined();
    expect(blocks[3].element).toMatchObject({ initial_value: 'docker', max_length: 500, multiline: false });
    expect(blocks[4].element.multiline).toBe(true);
  });

  it('leaves out a multi-select with nothing to choose (Slack rejects it)', () => {
    const view = renderForm({ ...form, fields: [form.fields[0]!, { ...form.fields[1]!, options: [] }] }, { state: '1', channelId: null });
    expect((view.blocks as any[]).map((b) => b.block_id)).toEqual(['status']);
  });

  it('reads submitted values back into the core form values', () => {
    const values = {
      status: { status: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Blocked' }, value: 'blocked' } } },
      milestones: { milestones: { type: 'multi_static_select', selected_options: [{ text: { type: 'plain_text', text: 'x' }, value: 'ci-cd' }] } },
      confidence: { confidence: { type: 'static_select', selected_option: null } },
      blocker: { blocker: { type: 'plain_text_input', value: '  docker networking  ' } },
      note: { note: { type: 'plain_text_input', value: null } },
    };
    expect(readFormValues(values)).toEqual({ status: 'blocked', milestones: ['ci-cd'], blocker: 'docker networking' });
  });

  it('rejects private metadata it did not write', () => {
    expect(decodeFormMetadata('42')).toBeNull();
    expect(decodeFormMetadata('{"x":1}')).toBeNull();
  });
});

describe('mention text', () => {
  it('removes the bot mention and decodes Slack escaping', () => {
    expect(mentionText('<@U0BOT> is k8s &amp; docker &lt;required&gt;?', 'U0BOT')).toBe('is k8s & docker <required>?');
    expect(mentionText('hey <@U0BOT|mentorbot>   how long?', 'U0BOT')).toBe('hey how long?');
  });
});

describe('SLACK_API_URL', () => {
  it('becomes a base the Web API client can append method names to', () => {
    expect(slackApiBase('http://127.0.0.1:4000/api/')).toBe('http://127.0.0.1:4000/api/');
    expect(slackApiBase('http://127.0.0.1:4000/api')).toBe('http://127.0.0.1:4000/api/');
    expect(slackApiBase('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000/api/');
    expect(slackApiBase(null)).toBeUndefined();
  });
});
