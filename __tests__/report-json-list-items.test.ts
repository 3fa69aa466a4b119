/**
 * `writeJson` prints each file and finding with the separator before it as one piece cut out of a
 * JSON.stringify text (report/json.ts `listItem`): the same bytes as the whole report printed at
 * once, for any value an item may hold, first or not.
 */
import { formatJson, writeJson } from '../src/report/json.js';
import type { Report } from '../src/engine/report-types.js';

const odd: Record<string, unknown>[] = [
  { path: 'a.yaml', dialect: null, plan: {} },
  { path: 'b "quoted" \\ back\nslash.yaml', dialect: 'axolotl', plan: { peakLr: { value: 1e-4, origin: 'explicit', line: 3, column: 1 }, epochs: { value: -0, origin: 'default' } } },
  { path: 'ünïcødé ✓ 𝔘.yml', dialect: 'hf-trainer', plan: { scheduler: { value: 'cosine', origin: 'explicit', how: 'a\tb\u2028c' } }, reason: '' },
  { path: 'c.json', dialect: 'deepspeed', plan: { list: [1, [2, [3, {}]], 'x', null, true, 1.5e300] }, launcher: { path: 's.sh', line: 1, column: 1 } },
  {},
  { nested: { deeper: { deepest: [] } } },
];

function inPieces(report: Report): string {
  const out: string[] = [];
  writeJson({ ...report, summary: () => report.summary }, (piece) => out.push(typeof piece === 'string' ? piece : Buffer.from(piece).toString('utf8')));
  return out.join('');
}

function reportOf(files: unknown[], findings: unknown[]): Report {
  return {
    version: 1,
    tool: { name: 'trainlint', version: '0.0.0' },
    files: files as Report['files'],
    findings: findings as Report['findings'],
    summary: { files: files.length, errors: 0, warnings: 0, infos: 0 },
  };
}

describe('the JSON report written item by item', () => {
  test.each([0, 1, 2, odd.length])('%i items in each list: the same text as the whole report', (n) => {
    const report = reportOf(odd.slice(0, n), odd.slice(odd.length - n).reverse());
    expect(inPieces(report)).toBe(formatJson(report));
  });

  test('each item is one piece, with the separator before it', () => {
    const report = reportOf(odd, []);
    const pieces: string[] = [];
    writeJson({ ...report, summary: () => report.summary }, (piece) => pieces.push(String(piece)));
    const items = pieces.slice(1, 1 + odd.length);
    expect(items[0].startsWith('[\n    {')).toBe(true);
    for (const item of items.slice(1)) expect(item.startsWith(',\n    {')).toBe(true);
  });
});
