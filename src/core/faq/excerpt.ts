/**
 * The start of an answer, cut where a reader expects a cut: after a sentence, or else between two
 * words. "pyproject.toml", "1.5", "$25,000" and "e.g." end no sentence, and nothing is cut inside
 * an inline code span.
 */

// Words that end in a full stop without ending the sentence.
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'approx', 'incl', 'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'no', 'vol', 'fig', 'al']);

// A sentence's last mark, any closing quotes, brackets or emphasis after it, then the space before the next.
const SENTENCE_END = /[.!?]+[)\]"'’”*_]*(?=\s)/g;

function insideCode(text: string, at: number): boolean {
  let ticks = 0;
  for (let i = 0; i < at; i++) if (text[i] === '`') ticks++;
  return ticks % 2 === 1;
}

/** The word before a full stop at `at`, without leading brackets or quotes: "e.g" in "(e.g.". */
function wordBefore(text: string, at: number): string {
  const start = text.lastIndexOf(' ', at - 1) + 1;
  return text.slice(start, at).replace(/^[("'‘“*_[]+/, '').toLowerCase();
}

/** Where sentences end in a paragraph: the index just after each one's last mark. */
export function sentenceEnds(paragraph: string): number[] {
  const ends: number[] = [];
  for (const m of paragraph.matchAll(SENTENCE_END)) {
    const mark = m.index;
    const end = mark + m[0].length;
    if (insideCode(paragraph, mark)) continue;
    const next = /\S/.exec(paragraph.slice(end));
    // A new sentence starts with a capital, a digit, a quote or markup, never a lower-case word.
    if (next && /\p{Ll}/u.test(next[0])) continue;
    if (paragraph[mark] === '.') {
      const word = wordBefore(paragraph, mark);
      // A lone letter is an initial ("J. Smith"); a listed word an abbreviation.
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue;
    }
    ends.push(end);
  }
  return ends;
}

/**
 * At most `max` characters of `text`, cut after the last whole word that fits (outside a code span
 * when it can be), without trailing punctuation. A single word longer than `max` is cut, since there
 * is no better place.
 */
export function clipWords(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = -1;
  for (let i = Math.min(max, text.length - 1); i > 0; i--) {
    if (!/\s/.test(text[i]!)) continue;
    if (cut < 0) cut = i;
    if (!insideCode(text, i)) {
      cut = i;
      break;
    }
  }
  const kept = cut > 0 ? text.slice(0, cut) : text.slice(0, max);
  return kept.replace(/[\s,;:–—-]+$/, '');
}

/**
 * The first paragraph of an answer; a long one is cut after the last sentence that fits in `max`
 * characters, or between words when not even the first sentence does.
 */
export function excerpt(answer: string, max: number): string {
  const paragraph = answer.trim().split(/\n\s*\n/)[0]!.trim();
  if (paragraph.length <= max) return paragraph;
  const fits = sentenceEnds(paragraph).filter((end) => end <= max);
  if (fits.length > 0) return paragraph.slice(0, fits[fits.length - 1]).trim();
  return clipWords(paragraph, max - 1);
}
