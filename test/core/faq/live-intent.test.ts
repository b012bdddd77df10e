import { describe, expect, it } from 'vitest';
import { liveIntent } from '../../../src/core/faq/live-intent.js';

describe('questions about the asker’s own cohort', () => {
  it.each([
    ['when is the next check-in?', 'next-checkin'],
    ['what time is our next round', 'next-checkin'],
    ["what's this week's milestone?", 'this-week'],
    ['what is my current milestone', 'this-week'],
    ['list all milestones', 'milestones'],
    ['when does my cohort finish?', 'program-end'],
    ['which mentors are assigned to me', 'mentors'],
    ['am I behind?', 'standing'],
    ['how am I doing so far', 'standing'],
    ['what do I have to do this week', 'this-week'],
    ['what should I do this week?', 'this-week'],
    ['how many weeks are left?', 'program-end'],
    ['how many check-ins are left?', 'program-end'],
    ['what is the next milestone I need to finish?', 'standing'],
  ])('recognises %j', (q, intent) => {
    expect(liveIntent(q)).toBe(intent);
  });

  it.each([
    'how do I stand out in interviews',
    'how do check-ins work',
    'what is the containerization milestone',
    'can my mentor see my answers',
    'what happens if I miss a check-in',
    'when does a model need retraining',
    'how do I get back on track after falling behind in my job search while working full time',
    'how do i get my company to pay for the program',
    'how do I do well in the program',
    'what do I do now that I am flagged',
    'how much of my training budget is left',
    'what is the next milestone after containerization about',
  ])('leaves %j to the FAQ', (q) => {
    expect(liveIntent(q)).toBeNull();
  });
});
