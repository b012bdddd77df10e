import { loadContent } from '../src/content/load.js';
import { buildIndex, parseQuery, rankEntries, DEFAULT_PARAMS } from '../src/core/faq/search-index.js';
import { covidFaqSet, isCalibrationQuery } from './faq-data.js';
const set = await covidFaqSet();
const split = process.env.LAB_SPLIT ?? 'dev';
set.queries = set.queries.filter((q) => split === 'all' || isCalibrationQuery(q.question) === (split === 'dev'));
console.log(split, set.queries.length);
const content = await loadContent(set.dir, { strict: false });
function evalp(p: any) {
  const idx = buildIndex(content.faq, [], { ...DEFAULT_PARAMS, ...p });
  let h1 = 0, h5 = 0, mrr = 0, h1any = 0;
  const any = new Map<string, Set<string>>();
  for (const q of set.queries) { const k = q.question.trim().toLowerCase(); any.set(k, new Set([...(any.get(k) ?? []), ...q.gold])); }
  for (const q of set.queries) {
    const r = rankEntries(idx, parseQuery(idx, q.question), 10);
    const rank = r.findIndex((x) => q.gold.includes(idx.entries[x.index]!.entry.id));
    if (r[0] && any.get(q.question.trim().toLowerCase())!.has(idx.entries[r[0].index]!.entry.id)) h1any++;
    if (rank === 0) h1++; if (rank >= 0 && rank < 5) h5++; if (rank >= 0) mrr += 1 / (rank + 1);
  }
  let map = 0;
  for (const [k, golds] of any) {
    const slots = parseQuery(idx, k);
    const r = rankEntries(idx, slots, 68);
    let hits = 0, ap = 0;
    r.forEach((x, i) => { if (golds.has(idx.entries[x.index]!.entry.id)) { hits++; ap += hits / (i + 1); } });
    map += ap / golds.size;
  }
  map /= any.size;
  const n = set.queries.length;
  return `h1 ${(h1 / n).toFixed(3)} h5 ${(h5 / n).toFixed(3)} mrr ${(mrr / n).toFixed(3)} h1any ${(h1any / n).toFixed(3)} mapGrouped ${map.toFixed(3)}`;
}
const grid = JSON.parse(process.argv[2] ?? '[{}]');
for (const g of grid) console.log(JSON.stringify(g), evalp(g));
await set.cleanup();
