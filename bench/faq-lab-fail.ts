import { loadContent } from '../src/content/load.js';
import { buildIndex, parseQuery, rankEntries, DEFAULT_PARAMS } from '../src/core/faq/search-index.js';
import { covidFaqSet } from './faq-data.js';
const set = await covidFaqSet();
const content = await loadContent(set.dir, { strict: false });
const idx = buildIndex(content.faq, [], { ...DEFAULT_PARAMS, ...JSON.parse(process.argv[2] ?? '{}') });
let shown = 0;
const any = new Map<string, Set<string>>();
for (const q of set.queries) { const k = q.question.trim().toLowerCase(); any.set(k, new Set([...(any.get(k) ?? []), ...q.gold])); }
const done = new Set<string>();
for (const q of set.queries.slice(Number(process.argv[3] ?? 0))) {
  const slots = parseQuery(idx, q.question);
  const r = rankEntries(idx, slots, 10);
  const rank = r.findIndex((x) => q.gold.includes(idx.entries[x.index]!.entry.id));
  const k = q.question.trim().toLowerCase();
  if (done.has(k) || (r[0] && any.get(k)!.has(idx.entries[r[0].index]!.entry.id))) continue;
  done.add(k);
  const g = idx.entries.find((e) => q.gold.includes(e.entry.id))!.entry;
  console.log(`Q: ${q.question}\n   slots: ${slots.map((s) => s.source + ':' + s.alternatives.map((a) => a.term).join('|') + ':' + s.weight.toFixed(1)).join(' ')}\n   gold(rank ${rank}): ${g.question}\n   top: ${r[0] ? idx.entries[r[0].index]!.entry.question : '-'}`);
  if (++shown > 40) break;
}
await set.cleanup();
