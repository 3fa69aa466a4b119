/**
 * SARIF within GitHub code scanning's limits: a run of more than 25,000 results is rejected and
 * only 5,000 are stored; an upload is at most 10 MB gzip-compressed. The log keeps the most severe
 * findings and says how many it left out, in the run and to stderr; never silently.
 */
import { gzipSync } from 'node:zlib';
import { buildSarif, formatSarif, MAX_SARIF_RESULTS } from '../src/report/sarif';
import type { Severity } from '../src/engine/types';
import { sarifValidator } from './helpers/external-schemas';
import { finding, report } from './action/helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** `n` findings, one a line of one file: `errors` errors spread among warnings (every 10th), the rest warnings. */
function many(n: number, errors: number, info = 0) {
  const severityOf = (i: number): Severity => (i % 10 === 5 && i / 10 < errors ? 'error' : i >= n - info ? 'info' : 'warning');
  return report(
    Array.from({ length: n }, (_, i) =>
      finding({ severity: severityOf(i), ruleId: 'duplicate-key', line: i + 1, endLine: i + 1, message: `duplicate key "k${i}"`, fingerprint: i.toString(16).padStart(24, '0') }),
    ),
  );
}

describe('SARIF results cap', () => {
  test(`more than ${MAX_SARIF_RESULTS} findings: the most severe ${MAX_SARIF_RESULTS} in report order, and the count of the rest in the run and on stderr`, () => {
    const r = many(46_501, 120, 1);
    const told: string[] = [];
    const log: Json = JSON.parse(formatSarif(r, { notify: (line) => told.push(line) }));
    const run = log.runs[0];
    expect(run.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(run.results.filter((x: Json) => x.level === 'error')).toHaveLength(120);
    expect(run.results.filter((x: Json) => x.level === 'note')).toHaveLength(0);
    const lines = run.results.map((x: Json) => x.locations[0].physicalLocation.region.startLine);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    const text = '41,501 of 46,501 findings left out of the SARIF log (41,500 warnings, 1 info): GitHub code scanning stores at most 5,000 results per run; it holds the 5,000 most severe';
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toContain(text);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.properties).toEqual({ findings: 46_501, resultsLeftOut: 41_501 });
    expect(told).toEqual([expect.stringContaining(`trainlint: ${text}`)]);
    expect(sarifValidator()(log)).toBe(true);
  });

  test('a result keeps its fingerprint (occurrence included) whether or not others are left out', () => {
    const same = (severity: Severity, line: number) => finding({ severity, line, endLine: line, fingerprint: 'a'.repeat(24) });
    const r = report([same('warning', 1), same('error', 2), same('warning', 3)]);
    const all: Json = buildSarif(r);
    const capped: Json = buildSarif(r, { maxResults: 1 });
    expect(capped.runs[0].results).toEqual([all.runs[0].results[1]]);
    expect(capped.runs[0].results[0].partialFingerprints).toEqual({ 'trainlintFinding/v2': `${'a'.repeat(24)}:2` });
  });

  test('within the cap: no notification, no properties, nothing told', () => {
    const told: string[] = [];
    const log: Json = JSON.parse(formatSarif(many(10, 1), { notify: (line) => told.push(line) }));
    expect(log.runs[0].results).toHaveLength(10);
    expect(log.runs[0].invocations).toBeUndefined();
    expect(log.runs[0].properties).toBeUndefined();
    expect(told).toEqual([]);
  });

  test('over the gzip size limit: fewer results, the most severe kept, and the reason said', () => {
    // Messages that do not compress: each result adds about 1 KB gzip-compressed.
    let seed = 1;
    const noise = (): string => Array.from({ length: 1500 }, () => ((seed = (seed * 48271) % 2147483647) % 36).toString(36)).join('');
    const r = report(Array.from({ length: 200 }, (_, i) => finding({ severity: i % 2 ? 'warning' : 'error', line: i + 1, endLine: i + 1, message: noise() })));
    const told: string[] = [];
    const text = formatSarif(r, { maxGzipBytes: 60_000, notify: (line) => told.push(line) });
    expect(gzipSync(text).length).toBeLessThanOrEqual(60_000);
    const run: Json = JSON.parse(text).runs[0];
    expect(run.results.length).toBeGreaterThan(20);
    expect(run.results.length).toBeLessThanOrEqual(100);
    expect(run.results.every((x: Json) => x.level === 'error')).toBe(true);
    expect(run.properties.resultsLeftOut).toBe(200 - run.results.length);
    expect(told[0]).toContain('GitHub code scanning takes a SARIF file of at most 10 MB gzip-compressed (kept under 60,000 bytes)');
  });
});
