/**
 * The CLI writes the JSON report piece by piece (report/json.ts `writeJson`, engine/build-report.ts
 * `reportParts`) and gives the other formats a report whose files carry their paths only: both must
 * print exactly what the whole report prints.
 */
import path from 'node:path';
import { readConfig } from '../src/config/load-config';
import { buildReport, reportParts } from '../src/engine/build-report';
import { lint, type FileResult } from '../src/engine/lint';
import { FORMAT_NAMES, formatReport } from '../src/report/index';
import { formatJson, writeJson } from '../src/report/json';

const GOLDEN = path.join(__dirname, 'golden');

async function resultsOf(dir: string): Promise<FileResult[]> {
  const { config } = readConfig(dir);
  return (await lint({ root: dir, paths: [], config })).results;
}

function pieces(results: FileResult[]): { text: string; writes: number } {
  const out: Buffer[] = [];
  writeJson(reportParts(results), (piece) => out.push(Buffer.from(piece)));
  return { text: Buffer.concat(out).toString('utf8'), writes: out.length };
}

describe('the report written in pieces', () => {
  test.each([
    ['no file', []],
    ['clean files only', ['lr-not-rescaled/good-axolotl']],
    ['findings with related locations and fixes', ['decay-horizon-mismatch/bad-smoke-test-grouped', 'warmup-fraction/bad', 'duplicate-key/bad-yaml']],
  ])('%s: json the same as the whole report', async (_name, cases) => {
    const results = (await Promise.all((cases as string[]).map((c) => resultsOf(path.join(GOLDEN, c))))).flat();
    const whole = formatJson(buildReport(results));
    const { text, writes } = pieces(results);
    expect(text).toBe(whole);
    // One piece per file and per finding (an empty list is one), and the frame around them.
    const list = (n: number) => (n > 0 ? n + 1 : 1);
    expect(writes).toBe(3 + list(results.length) + list(results.flatMap((r) => r.findings).length));
  });

  test('the formats other than json print the same from a report of paths', async () => {
    const results = (await Promise.all(['decay-horizon-mismatch/bad-megatron', 'lr-not-rescaled/bad', 'parse-error/bad-yaml'].map((c) => resultsOf(path.join(GOLDEN, c))))).flat();
    const sources = new Map(results.map((r) => [r.file.path, r.file.text]));
    const whole = buildReport(results);
    const light = buildReport(results, { files: 'paths' });
    expect(light.files.every((f) => Object.keys(f.plan).length === 0)).toBe(true);
    for (const format of FORMAT_NAMES.filter((f) => f !== 'json')) {
      expect(formatReport(format, light, { color: false, sources })).toBe(formatReport(format, whole, { color: false, sources }));
    }
  });
});
