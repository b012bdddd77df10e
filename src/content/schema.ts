import { z } from 'zod';

export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const text = z.string().trim().min(1, 'must not be empty');
const kebabId = z.string().trim().regex(KEBAB_CASE, 'must be kebab-case (lowercase letters, digits and single hyphens)');
// zod skips the items of an array that is too long, so the length is checked in a refinement to report both.
function list<T extends z.ZodType>(item: T, min: number, max: number, message: string) {
  return z.array(item).superRefine((items, ctx) => {
    if (items.length < min || items.length > max) ctx.addIssue({ code: 'custom', message });
  });
}

const count = z.number().int('must be a whole number').min(1, 'must be at least 1');

export const stallSchema = z
  .strictObject({
    missed_rounds: count,
    blocked_answers: count,
    blocked_window: count,
    behind_milestones: count,
    // Confidence is answered on a 1-5 scale, so no drop can exceed 4.
    confidence_drop: count.max(4, 'must be at most 4 (confidence is 1-5)'),
    confidence_window: count.min(2, 'must be at least 2 (a drop needs two answers)'),
    // Only learners who linked a repository can be flagged for it.
    no_commits_days: count.optional(),
  })
  .superRefine((stall, ctx) => {
    if (stall.blocked_answers > stall.blocked_window) {
      ctx.addIssue({
        code: 'custom',
        path: ['blocked_answers'],
        message: `must not exceed blocked_window (${stall.blocked_window})`,
      });
    }
  });

const repoPath = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the repository, e.g. Dockerfile or tests/');

export const evidenceCheckSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('github.repo') }),
    z.strictObject({ type: z.literal('github.file'), path: z.union([repoPath, z.array(repoPath).min(1, 'must list at least one path')]) }),
    z.strictObject({ type: z.literal('github.workflow'), workflow: text.optional() }),
    z.strictObject({ type: z.literal('github.activity'), days: count.max(365, 'must be at most 365') }),
    z.strictObject({
      type: z.literal('http.get'),
      url: z.string().trim().startsWith('https://', 'must be an https:// URL').optional(),
      timeout_ms: count.max(5000, 'must be at most 5000 (checks give up after 5 s)').optional(),
      json_field: text.optional(),
    }),
  ],
  { error: () => 'must have a type: github.repo, github.file, github.workflow, github.activity or http.get' },
);

export const milestoneSchema = z.strictObject({
  id: kebabId,
  title: text,
  goal: text,
  done_when: text,
  resources: list(text, 2, 4, 'must have 2-4 entries'),
  week: count,
  evidence: z.array(evidenceCheckSchema).optional(),
});

export const weekSchema = z.strictObject({
  week: count,
  milestone: kebabId,
  focus: text,
});

export const programSchema = z.strictObject({
  id: kebabId,
  title: text,
  summary: text,
  stall: stallSchema,
  milestones: z.array(milestoneSchema).min(1, 'must list at least one milestone'),
  weeks: z.array(weekSchema).min(1, 'must list at least one week'),
});

export type ProgramFile = z.infer<typeof programSchema>;

const strictFaqSchema = z.strictObject({
  id: kebabId,
  question: text,
  aliases: list(text.max(120, 'must be a short phrasing (120 characters at most)'), 2, 40, 'must have 2-40 entries'),
  tags: z.array(text).min(1, 'must have at least one tag'),
  sources: z.array(text).min(1, 'must name at least one source'),
});

const lenientFaqSchema = z.object({
  id: kebabId,
  question: text,
  aliases: z.array(text).default([]),
  tags: z.array(text).default([]),
  sources: z.array(text).default([]),
});

export type FaqFrontMatter = z.infer<typeof strictFaqSchema>;

export function faqFrontMatterSchema(strict: boolean): z.ZodType<FaqFrontMatter> {
  return strict ? strictFaqSchema : lenientFaqSchema;
}

export const thesaurusSchema = z.strictObject({
  groups: z.array(z.array(text).min(2, 'must have at least 2 terms')),
});

export type ThesaurusFile = z.infer<typeof thesaurusSchema>;
