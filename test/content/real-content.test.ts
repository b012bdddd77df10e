import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkContent, formatIssues, loadContent } from '../../src/content/load.js';

const contentDir = fileURLToPath(new URL('../../content', import.meta.url));

function sentences(markdown: string): number {
  const prose = markdown
    .replace(/`[^`]*`/g, 'CODE')
    .replace(/\$?\d[\d,.]*\d/g, 'N')
    .replace(/\b(?:e\.g|i\.e|vs)\./g, 'ABBR');
  return prose.split(/(?<=[.!?])\s+/).filter((s) => s.trim() !== '').length;
}

describe('the curated content', () => {
  it('passes the strict content check', async () => {
    expect(formatIssues(await checkContent(contentDir))).toBe('');
  });

  it('has a 24-week ds-to-mle program whose milestones are due when their last week ends', async () => {
    const program = (await loadContent(contentDir)).programs.get('ds-to-mle');
    expect(program).toBeDefined();
    expect(program!.weeks).toHaveLength(24);
    for (const milestone of program!.milestones) {
      const weeks = program!.weeks.filter((w) => w.milestoneId === milestone.id).map((w) => w.week);
      expect(Math.max(...weeks), milestone.id).toBe(milestone.week);
    }
    const order = program!.milestones.map((m) => m.id);
    const worked = program!.weeks.map((w) => order.indexOf(w.milestoneId));
    expect(worked).toEqual([...worked].sort((a, b) => a - b));
  });

  it('uses the stall thresholds from the product rules', async () => {
    const program = (await loadContent(contentDir)).programs.get('ds-to-mle')!;
    expect(program.stall).toEqual({
      missedRounds: 2,
      blockedAnswers: 2,
      blockedWindow: 3,
      behindMilestones: 2,
      confidenceDrop: 2,
      confidenceWindow: 3,
      noCommitsDays: 14,
    });
  });

  it('has at least 40 FAQ entries, one per milestone, and the bot entries', async () => {
    const content = await loadContent(contentDir);
    expect(content.faq.length).toBeGreaterThanOrEqual(40);
    const ids = new Set(content.faq.map((entry) => entry.id));
    for (const milestone of content.programs.get('ds-to-mle')!.milestones) {
      expect(ids.has(`milestone-${milestone.id}`), milestone.id).toBe(true);
    }
    const bot = content.faq.filter((entry) => entry.tags.includes('mentorbot'));
    expect(bot.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps every answer between 3 and 8 sentences', async () => {
    const content = await loadContent(contentDir);
    const outside = content.faq
      .map((entry) => ({ id: entry.id, count: sentences(entry.answer) }))
      .filter(({ count }) => count < 3 || count > 8);
    expect(outside).toEqual([]);
  });
});
