import MiniSearch from 'minisearch';
import { loadContent } from '../src/content/load.js';
import { covidFaqSet } from './faq-data.js';
const set = await covidFaqSet();
const content = await loadContent(set.dir, { strict: false });
for (const fields of [['question'], ['question', 'answer']]) {
  const ms = new MiniSearch({ fields, storeFields: ['id'], searchOptions: { boost: { question: 2 }, fuzzy: 0.2, prefix: true } });
  ms.addAll(content.faq);
  let h1 = 0, h5 = 0, mrr = 0;
  for (const q of set.queries) {
    const r = ms.search(q.question).slice(0, 10);
    const rank = r.findIndex((x) => q.gold.includes(x.id));
    if (rank === 0) h1++; if (rank >= 0 && rank < 5) h5++; if (rank >= 0) mrr += 1 / (rank + 1);
  }
  const n = set.queries.length;
  console.log(fields, (h1 / n).toFixed(3), (h5 / n).toFixed(3), (mrr / n).toFixed(3));
}
await set.cleanup();
