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
  /**
   * True when nothing in the question says what it is about (punctuation, emoji, stop words, one
   * very common word, a code or SQL fragment): the asker is asked for a fuller question instead.
   */
  tooVague: boolean;
}

export interface FaqEngine {
  ask(question: string): FaqResult;
  size: number;
}

/** What `createFaqEngine` returns: the engine plus lookups for buttons and benchmarks. */
export interface IndexedFaqEngine extends FaqEngine {
  /** One entry's answer, as if asked for exactly (a related-question button); null for an unknown id. */
  byId(id: string): FaqResult | null;
  /** Entries ranked for a question, best first, with their raw scores. */
  rank(question: string, limit: number): Array<{ id: string; score: number }>;
}
