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

/** The longest question the log keeps; a pasted stack trace is not a question to group by. */
export const LOGGED_LENGTH = 300;

/** A question as the log shows it: one line, no control characters, at most LOGGED_LENGTH characters. */
export function loggedQuestion(text: string): string {
  return clip(text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').replace(/\s+/g, ' ').trim(), LOGGED_LENGTH);
}

/** The key under which logged questions are grouped: content words, stemmed, in order. */
export function normalizeQuestion(text: string): string {
  const tokens = tokenize(text);
  const content = tokens.filter((t) => !t.stop).map((t) => t.stem);
  if (content.length > 0) return clip(content.join(' '), LOGGED_LENGTH);
  if (tokens.length > 0) return clip(tokens.map((t) => t.word).join(' '), LOGGED_LENGTH);
  // No word at all: keep the symbols themselves, so '"""' and an emoji are not one question.
  return loggedQuestion(text.normalize('NFKC'));
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
