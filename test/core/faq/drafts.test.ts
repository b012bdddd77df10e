import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { aliasSuggestions, draftEntry } from '../../../src/core/faq/drafts.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('faq drafts', () => {
  it('turns a mentor answer into an entry that content check accepts, with the asked phrasings as aliases', async () => {
    const taken = new Set<string>();
    const one = draftEntry(
      { normalized: 'negoti stock option startup', phrasings: ['how do I negotiate stock options at a startup', 'negotiating startup equity?'], answer: 'Ask for the strike price.', mentorName: 'dana', answeredAt: new Date('2026-03-02T10:00:00Z') },
      taken,
    );
    const lone = draftEntry({ normalized: 'visa', phrasings: ['visa sponsorship for MLE roles'], answer: 'It depends on the employer.', mentorName: 'lee', answeredAt: new Date('2026-03-03T10:00:00Z') }, taken);
    expect(one.markdown).toContain('id: mentor-how-negotiate-stock-options-startup');
    expect(one.markdown).toContain('question: How do I negotiate stock options at a startup?');
    expect(one.markdown).toContain('  - how do I negotiate stock options at a startup\n  - negotiating startup equity?');
    expect(one.markdown).toContain('  - Answer by mentor dana, 2026-03-02');
    dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-drafts-'));
    await mkdir(path.join(dir, 'faq'));
    for (const d of [one, lone]) await writeFile(path.join(dir, 'faq', `${d.id}.md`), d.markdown);
    const content = await loadContent(dir);
    expect(content.faq.map((e) => e.id).sort()).toEqual([lone.id, one.id].sort());
    expect(content.faq.find((e) => e.id === lone.id)!.aliases).toHaveLength(2);
  });

  it('lists alias candidates as suggested edits, the most chosen first', () => {
    expect(aliasSuggestions([])).toBe('');
    const text = aliasSuggestions([{ entryId: 'expected-raise', phrasing: 'will I earn more', chosen: 3 }]);
    expect(text).toContain('- `faq/expected-raise.md`: add alias "will I earn more" (chosen 3 times)');
  });
});
