import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { olmo } from '../../src/dialects/olmo';
import { parseSource } from '../../src/engine/load-file';
function list(d: string): string[] { return readdirSync(d).flatMap((e) => { const f = path.join(d, e); return statSync(f).isDirectory() ? list(f) : [f]; }); }
test('probe', () => {
  for (const f of list('/work/shared/corpus/allenai__OLMo')) {
    if (!f.endsWith('.yaml')) continue;
    const file = parseSource(path.basename(f), readFileSync(f, 'utf8'));
    const ex = olmo.extract(file, { assume: { worldSize: 64 }, mappings: {} });
    const brief = Object.fromEntries(Object.entries(ex.plan).map(([k, v]) => [k, `${v.value} ${v.origin}${v.how ? ' [' + v.how + ']' : ''}${v.note ? ' {' + v.note + '}' : ''}`]));
    console.log(f, olmo.detect(file, { assume: {}, mappings: {} }), JSON.stringify(brief, null, 1), ex.missing, ex.notes);
  }
});
