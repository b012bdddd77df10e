/** A check run against a learner's linked work; see content/programs/*.yaml `evidence:`. */
export type EvidenceCheck =
  | { type: 'github.repo' }
  /** Passes when any of the paths exists on the default branch (a trailing / names a directory). */
  | { type: 'github.file'; paths: string[] }
  /** The latest completed run on the default branch succeeded (of this workflow file or name, when given). */
  | { type: 'github.workflow'; workflow?: string }
  | { type: 'github.activity'; days: number }
  /** The URL (or the learner's linked https URL) answers 2xx in time, with the JSON field when given. */
  | { type: 'http.get'; url?: string; timeoutMs: number; jsonField?: string };

export type EvidenceCheckType = EvidenceCheck['type'];

export interface Milestone {
  id: string;
  title: string;
  goal: string;
  doneWhen: string;
  resources: string[];
  week: number;
  /** Checks run on linked work; none when the milestone declares none. */
  evidence?: EvidenceCheck[];
}

export interface ProgramWeek {
  week: number;
  milestoneId: string;
  focus: string;
}

/** Days without a commit on a linked repository before a learner is flagged, when a program does not say. */
export const DEFAULT_NO_COMMITS_DAYS = 14;

export interface StallSettings {
  missedRounds: number;
  blockedAnswers: number;
  blockedWindow: number;
  behindMilestones: number;
  confidenceDrop: number;
  confidenceWindow: number;
  /** Learners who linked a repository are flagged after this many days without a commit on it. */
  noCommitsDays?: number;
}

export interface Program {
  id: string;
  title: string;
  summary: string;
  stall: StallSettings;
  milestones: Milestone[];
  weeks: ProgramWeek[];
}

export interface FaqEntry {
  id: string;
  question: string;
  aliases: string[];
  tags: string[];
  sources: string[];
  answer: string;
  file: string;
}

export interface Content {
  dir: string;
  programs: Map<string, Program>;
  faq: FaqEntry[];
  thesaurus: string[][];
}

export interface ContentIssue {
  file: string;
  field: string;
  message: string;
}
