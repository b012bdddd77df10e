export interface Milestone {
  id: string;
  title: string;
  goal: string;
  doneWhen: string;
  resources: string[];
  week: number;
}

export interface ProgramWeek {
  week: number;
  milestoneId: string;
  focus: string;
}

export interface StallSettings {
  missedRounds: number;
  blockedAnswers: number;
  blockedWindow: number;
  behindMilestones: number;
  confidenceDrop: number;
  confidenceWindow: number;
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
