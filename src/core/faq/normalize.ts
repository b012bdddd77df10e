import { stemmer } from 'stemmer';
import { STOP_WORDS } from './stopwords.js';

export interface Token {
  word: string;
  stem: string;
  stop: boolean;
  /** A lone letter ("i", "a", the "s" of "k8s"): meaningless on its own, kept for thesaurus phrases. */
  single: boolean;
}

const MARKS = /\p{M}+/gu;
const POSSESSIVE = /['’]s\b/g;
const APOSTROPHE = /['’`]/g;
const URL = /\bhttps?:\/\/\S+/g;
const MARKDOWN_LINK_TARGET = /\]\([^)]*\)/g;
// Letters and digits become separate words ("covid19" → covid 19, "k8s" → k 8 s), so both
// spellings meet in the middle; the thesaurus still sees the whole sequence.
const WORD = /\p{L}+|\p{N}+/gu;

export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(MARKDOWN_LINK_TARGET, ']')
    .replace(URL, ' ')
    .replace(POSSESSIVE, '')
    .replace(APOSTROPHE, '');
}

const stemCache = new Map<string, string>();

export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = /^[a-z]+$/.test(word) ? stemmer(word) : word;
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of fold(text).matchAll(WORD)) {
    const word = match[0];
    const isNumber = /^\p{N}+$/u.test(word);
    const single = !isNumber && word.length < 2;
    tokens.push({ word, stem: isNumber ? word : stem(word), stop: single || STOP_WORDS.has(word), single });
  }
  return tokens;
}

/** The key under which logged questions are grouped: content words, stemmed, in order. */
export function normalizeQuestion(text: string): string {
  const tokens = tokenize(text);
  const content = tokens.filter((t) => !t.stop).map((t) => t.stem);
  if (content.length > 0) return content.join(' ');
  return tokens.map((t) => t.word).join(' ');
}
