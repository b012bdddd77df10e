import { describe, expect, it } from 'vitest';
import { readFormValues as readDiscord } from '../../src/platforms/discord/render.js';
import { readFormValues as readSlack } from '../../src/platforms/slack/blocks.js';

describe('the link field of the check-in form on each platform', () => {
  it('Slack reads it from view.state.values', () => {
    const values = readSlack({
      status: { status: { type: 'static_select', selected_option: { value: 'on-track' } } },
      link: { link: { type: 'plain_text_input', value: '  https://github.com/o/r  ' } },
    });
    expect(values).toEqual({ status: 'on-track', link: 'https://github.com/o/r' });
  });

  it('Discord reads it from the modal submission', () => {
    expect(readDiscord([{ customId: 'status', values: ['done'] }, { customId: 'link', value: 'https://github.com/o/r' }])).toEqual({ status: 'done', link: 'https://github.com/o/r' });
  });
});
