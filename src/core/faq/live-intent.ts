import { tokenize } from './normalize.js';

/** Questions about the asker's own cohort, answered from the database instead of the FAQ. */
export type LiveIntent = 'next-checkin' | 'this-week' | 'milestones' | 'program-end' | 'mentors' | 'standing';

interface IntentWords {
  intent: LiveIntent;
  /** Each group must be hit by at least one word of the question (stems). */
  required: string[][];
  /** Words that fit the intent without deciding it, space-separated. */
  fits: string;
}

const stems = (text: string) => tokenize(text).map((t) => t.stem);
const group = (text: string) => stems(text);
/** Whole words only: "milestones" asks for the list, "milestone" may name one. */
const exact = (text: string) => text.split(' ').map((w) => `=${w}`);

// Every word a question about one's cohort tends to use without naming its subject.
const COHORT = 'my our we i me cohort program programme course bootcamp schedule date day time when what which is are the this';

const INTENTS: IntentWords[] = [
  { intent: 'next-checkin', required: [group('check checkin checkins round standup'), group('next when upcoming day time soon')], fits: `in ${COHORT} due open post` },
  { intent: 'this-week', required: [group('milestone milestones task goal deliverable assignment focus work working'), group('this current now today week')], fits: `${COHORT} due done finish working on supposed should need do` },
  // "What do I have to do this week": "do" alone is too common a word unless the week is named.
  { intent: 'this-week', required: [exact('do'), group('week')], fits: `${COHORT} have has to need should supposed` },
  { intent: 'milestones', required: [exact('milestones syllabus curriculum'), group('milestones list all what which program weeks')], fits: `${COHORT} weeks week each per order overview` },
  { intent: 'program-end', required: [group('end ends ending finish finishes over last final conclude wrap'), group('program programme cohort course bootcamp when date')], fits: `${COHORT} up does will` },
  { intent: 'program-end', required: [group('left remain remaining go'), group('week weeks checkin checkins check round rounds')], fits: `${COHORT} how many much still there to in` },
  { intent: 'mentors', required: [group('mentor mentors'), group('who which list name names')], fits: `${COHORT} assigned` },
  // "doing" as typed: its stem "do" is in every "how do I" question.
  // "What is the next milestone I need to finish": the one after those done, which /progress names.
  { intent: 'standing', required: [exact('next'), group('milestone')], fits: `${COHORT} need have to finish do complete should` },
  { intent: 'standing', required: [[...group('stand standing behind ahead track progress'), ...exact('doing')]], fits: `${COHORT} where how am on far along so am i compared overall` },
];

/**
 * The live question a text asks, if any: every required group of one intent is present and its
 * words make up most of the question's content, so "where do I stand" is live and "how do I stand
 * out in interviews" is not.
 */
export function liveIntent(question: string): LiveIntent | null {
  const words = tokenize(question).filter((t) => !t.single);
  if (words.length === 0 || words.length > 12) return null;
  let best: { intent: LiveIntent; share: number } | null = null;
  for (const i of INTENTS) {
    const known = new Set([...i.required.flat(), ...stems(i.fits)]);
    if (!i.required.every((g) => words.some((w) => g.includes(w.stem) || g.includes(`=${w.word}`)))) continue;
    const share = words.filter((w) => w.stop || known.has(w.stem)).length / words.length;
    if (share >= 0.8 && (!best || share > best.share)) best = { intent: i.intent, share };
  }
  return best?.intent ?? null;
}
