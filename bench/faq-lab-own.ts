import { loadContent } from '../src/content/load.js';
import { buildIndex, parseQuery, rankEntries, DEFAULT_PARAMS } from '../src/core/faq/search-index.js';
import { confidence, gatherEvidence } from '../src/core/faq/confidence.js';
const own = await loadContent('content');
const thes = process.env.NOTHES ? [] : own.thesaurus;
let ok = 0, n = 0;
for (const entry of own.faq) {
  entry.aliases.forEach((alias, a) => {
    const corpus = own.faq.map((e) => (e === entry ? { ...e, aliases: e.aliases.filter((_, i) => i !== a) } : e));
    const idx = buildIndex(corpus, thes, { ...DEFAULT_PARAMS, ...JSON.parse(process.argv[2] ?? '{}') });
    const slots = parseQuery(idx, alias);
    const r = rankEntries(idx, slots, 8);
    const top = r[0] ? idx.entries[r[0].index]!.entry : null;
    n++;
    const c = confidence(gatherEvidence(idx, slots, r));
    if (top?.id === entry.id) ok++;
    else if (process.env.SHOW) console.log(`${alias}  [${entry.id}] -> ${top?.id} (${c.toFixed(2)})  slots ${slots.map((s) => s.source + ':' + s.alternatives.map((a) => a.term).join('|')).join(' ')}`);
  });
}
console.log(process.argv[2], 'alias top1', ok, '/', n, (ok / n).toFixed(3));
