/** What `/faq`, a mention or a check-in blocker gets back; the `faq --json` shape plus `relatedIds`. */
export interface FaqResult {
  answered: boolean;
  id: string | null;
  question: string | null;
  answer: string | null;
  /** Calibrated confidence in [0, 1] that `id` answers the question. */
  score: number;
  sources: string[];
  /** Questions of up to two entries close to the answer. */
  related: string[];
  /** Ids of the `related` entries, in the same order, for "ask this instead" buttons. */
  relatedIds: string[];
}

export interface FaqEngine {
  ask(question: string): FaqResult;
  /** The answer of one entry, as if it had been asked for exactly (a related-question button). */
  byId(id: string): FaqResult | null;
  /** Entries ranked for a question, best first, with their raw scores (benchmarks, diagnostics). */
  rank(question: string, limit: number): Array<{ id: string; score: number }>;
  /** The grouping key under which a question is logged. */
  normalize(question: string): string;
  size: number;
}
