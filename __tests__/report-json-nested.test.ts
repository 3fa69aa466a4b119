import { nested } from '../src/report/json.js';

/** The definition: the value printed alone, every line after the first indented by the depth. */
const byDefinition = (value: unknown, depth: number) => JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

describe('nested (a report item printed at its depth)', () => {
  const values: unknown[] = [
    { ruleId: 'schema', message: 'line one\nline two "quoted" \\ back', range: { start: { line: 1, column: 2 } }, tags: [] },
    { plan: { lr: { value: 1e-4, origin: 'explicit' } }, empty: {}, list: [1, [2, [3, {}]], 'x'] },
    [],
    {},
    [{ a: null }, true, -0, 1.5e300, 'ünïcødé ✓'],
    'a string',
    42,
    null,
  ];
  test.each([0, 1, 2, 3, 5])('depth %i is the same text as the definition gives', (depth) => {
    for (const value of values) expect(nested(value, depth)).toBe(byDefinition(value, depth));
  });
});
