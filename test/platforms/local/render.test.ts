import { describe, expect, it } from 'vitest';
import { plainText, renderText } from '../../../src/platforms/local/render.js';

describe('terminal rendering of markdown', () => {
  it('takes emphasis marks off, but never an underscore inside a word', () => {
    const line = '_Posted late: I was offline from Sun 7 Mar 2027, 10:00 (America/New_York) to Wed 24 Mar 2027, 11:00 (America/New_York)._';
    expect(plainText(line)).toBe('Posted late: I was offline from Sun 7 Mar 2027, 10:00 (America/New_York) to Wed 24 Mar 2027, 11:00 (America/New_York).');
    expect(plainText('**Week 3** of 24 · _1 of 2 checked in_')).toBe('Week 3 of 24 · 1 of 2 checked in');
    expect(renderText('a snake_case_name stays')).toBe('a snake_case_name stays');
    expect(renderText(line)).not.toContain('_Posted');
  });
});
