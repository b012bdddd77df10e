import type { Token } from './normalize.js';

// Words a question may open with before it says anything ("ok so how do I …").
const OPENERS = new Set(['so', 'ok', 'okay', 'hey', 'hi', 'hello', 'please', 'pls', 'quick', 'question', 'and', 'but']);
const MODALS = new Set(['do', 'can', 'could', 'should', 'would', 'shall']);
const ASKERS = new Set(['i', 'we', 'you', 'one']);
// Verbs that open an instruction about the asker's own thing: "make my DAG run hourly".
const INSTRUCTIONS = new Set(['make', 'get', 'set', 'setup', 'configure', 'schedule', 'fix', 'change', 'add', 'write', 'create', 'install', 'connect', 'turn', 'run', 'build', 'deploy', 'use']);
const DETERMINERS = new Set(['my', 'our', 'the', 'a', 'an', 'this', 'that']);

/**
 * Whether a question asks for steps: "how do I …", "how to …", "how can we …", or an instruction
 * about one's own thing ("make my Airflow DAG run hourly"). "How long", "how much" and "should I"
 * ask for something else.
 */
export function asksHowTo(tokens: readonly Token[]): boolean {
  const words = tokens.map((t) => t.word);
  let i = 0;
  while (i < words.length && OPENERS.has(words[i]!)) i++;
  const [a, b, c] = words.slice(i, i + 3);
  if (a === 'how') return b === 'to' || (MODALS.has(b ?? '') && ASKERS.has(c ?? ''));
  // "set up the pipeline": the verb's particle comes before its object.
  const object = b === 'up' ? c : b;
  return a !== undefined && INSTRUCTIONS.has(a) && DETERMINERS.has(object ?? '');
}
