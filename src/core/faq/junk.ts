import type { Token } from './normalize.js';

// Characters that hold code together and almost never appear in a question typed in chat.
const CODE_MARKS = /;|\{|\}|==|=>|--|\/\*|\*\/|\(\)|<\/?\w+>|\$\w|:=|&&|\|\|/g;
const SQL = /^\s*(select|insert|update|delete|drop|create|alter|truncate|union|exec)\b.*\b(from|into|table|set|where|database|values)\b/i;
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890'];

/** Text pasted from a terminal or an injection attempt rather than asked: its words are not a question. */
export function looksLikeCode(text: string): boolean {
  if (SQL.test(text)) return true;
  return (text.match(CODE_MARKS)?.length ?? 0) >= 2;
}

/** A run of keys rather than a word: no vowel, a long consonant run, one letter repeated, or a keyboard row. */
export function isKeyboardMash(word: string): boolean {
  if (word.length < 4 || /^\p{N}+$/u.test(word)) return false;
  // Short vowelless words are often acronyms ("html", "nltk"); long ones and long consonant runs are not English.
  if (word.length >= 5 && !/[aeiouy]/.test(word)) return true;
  if (/[^aeiouy\d]{6,}/.test(word)) return true;
  if (/(.)\1\1/.test(word)) return true;
  return KEYBOARD_ROWS.some((row) => word.length >= 4 && (row.includes(word) || [...row].reverse().join('').includes(word)));
}

/** The words of a question that could say what it is about: no stop words, single letters or key mash. */
export function contentTokens(tokens: Token[]): Token[] {
  return tokens.filter((t) => !t.stop && !t.single && !isKeyboardMash(t.word));
}
