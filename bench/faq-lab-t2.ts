import { readFile } from 'node:fs/promises';
import { loadContent } from '../src/content/load.js';
import { createFaqEngine } from '../src/core/faq/engine.js';
const c = await loadContent('content');
const a = createFaqEngine(c.faq, c.thesaurus), b = createFaqEngine(c.faq, []);
for (const l of (await readFile('bench/data/own-questions.txt', 'utf8')).split('\n')) {
  if (!l.includes(' | ')) continue;
  const [id, q] = l.split(' | ');
  const ra = a.rank(q!, 3), rb = b.rank(q!, 3);
  if (ra[0]?.id !== id || rb[0]?.id !== id) console.log(`${q} [${id}] thes-> ${ra.map((r) => r.id + ':' + r.score.toFixed(1)).join(' ')} | none-> ${rb.map((r) => r.id + ':' + r.score.toFixed(1)).join(' ')}`);
}
