/** ignored-setting: critical entries at the configured level, the others at warning, never above it. */
import path from 'node:path';
import { lint } from '../src/engine/lint';

const CASE = path.join(__dirname, 'golden', 'ignored-setting', 'bad-ultralytics');

async function severities(rules?: Record<string, 'error' | 'warning' | 'info' | 'off'>): Promise<string[]> {
  const { results } = await lint({ root: CASE, paths: [], config: rules ? { rules } : {} });
  return results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'ignored-setting').map((f) => `${f.range.line}:${f.severity}`));
}

test('default: the ignored LR is an error, the ignored momentum a warning', async () => {
  expect(await severities()).toEqual(['6:error', '7:warning']);
});

test('configured lower, every finding follows; off silences the rule', async () => {
  expect(await severities({ 'ignored-setting': 'warning' })).toEqual(['6:warning', '7:warning']);
  expect(await severities({ 'ignored-setting': 'info' })).toEqual(['6:info', '7:info']);
  expect(await severities({ 'ignored-setting': 'off' })).toEqual([]);
});

test('raising a warning rule to error still works next to the lowered findings', async () => {
  const dir = path.join(__dirname, 'golden', 'yaml11-ambiguous-scalar', 'bad-ultralytics');
  const { results } = await lint({ root: dir, paths: [], config: { rules: { 'yaml11-ambiguous-scalar': 'error' } } });
  // The yaml11 finding on `lr0: 1e-4` is merged into the schema error on the same scalar (one cause, one finding).
  const all = results.flatMap((r) => r.findings).flatMap((f) => [f, ...(f.merged ?? []).filter((m) => m !== f)]);
  expect(all.filter((f) => f.ruleId === 'yaml11-ambiguous-scalar').map((f) => f.severity)).toEqual(['error']);
});
