import { Document, isScalar, type ScalarTag } from 'yaml';
import { pyyamlTags, resolvePlain11 } from '../src/engine/load/yaml.js';
import { LEAVE_TO_YAML } from '../src/engine/load/yaml-fast.js';

const own = (text: string, atKey: boolean) => {
  const value = resolvePlain11(text, atKey);
  return value === LEAVE_TO_YAML ? undefined : { value };
};

/**
 * The fast path's own typing of plain scalars (resolvePlain11, which does not load the `yaml`
 * package) against the `yaml` path's: the first tag of the 1.1 schema with PyYAML's resolvers
 * whose test matches, resolved by the tag itself.
 */
const tags = new Document(undefined, { version: '1.1', customTags: pyyamlTags }).schema.tags as ScalarTag[];
function bySchema(text: string, atKey: boolean): { value: unknown } | undefined {
  const tag = tags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(text));
  if (!tag) return { value: text };
  let failed = false;
  const resolved = tag.resolve(text, () => (failed = true), {});
  const value = isScalar(resolved) ? resolved.value : resolved;
  // What the tree keeps as source text (timestamps as Date, the merge key as a symbol) is the yaml path's.
  if (failed || (value !== null && typeof value === 'object') || typeof value === 'bigint' || typeof value === 'symbol') return undefined;
  return { value };
}

const same = (a: { value: unknown } | undefined, b: { value: unknown } | undefined) => (a === undefined || b === undefined ? a === b : Object.is(a.value, b.value));

const WRITTEN = [
  '~', 'null', 'Null', 'NULL', 'nULL', 'nul', 'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'oN',
  'off', 'Off', 'OFF', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', '0', '-0', '+0', '00', '07', '08', '09', '0o7', '0x1F',
  '0x_1f', '-0x1F', '0b101', '-0b1_0', '0b2', '1_000', '1__0', '_1', '1:30', '-1:30', '1:30:59', '1:60', '1:30.5', '190:20:30.15',
  '.inf', '-.inf', '+.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN', '-.nan', '1e-4', '1e4', '1E-4', '1.0e-4', '1.0e+4', '1.0e4', '1.e-4',
  '.5', '-.5', '+.5', '5.', '-5.', '1.2.3', '1_0.5_0', '.', '-', '+', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5',
  '2001-12-15T02:59:43.1Z', '2002-1-1', '20011214', '<<', '<', 'num_train_epochs', 'ok', 'o', 'O', 'tT', 'fals', 'Nope', '~~', '1 2',
  '3.14159265358979323846', '12345678901234567890', '0.000001', '6e-05', '-1e+308', '1e309', 'Infinity', 'NaN', '0x', '0b', '0o',
  '+5', '-00', '00.5', '-.', '+.', '5.5.', '1.5x', '12a', '-+1', '0.', '+0.0', '9' + '9'.repeat(30),
  // Numbers the fast path computes from their digits (at most 15) and those it leaves to Number().
  '0.95', '0.1', '0.3', '-0.0', '2.675', '1.005', '-3.', '0.000000000000001', '123456789012345', '1234567890123456', '123456789012345.6',
  '99999999999999.99', '0.30000000000000004', '9007199254740993', '-9007199254740993.5', '4.35', '8.2', '1.1', '100000000000000.01',
];

describe('plain scalars in the fast path: typed as the 1.1 schema with PyYAML resolvers types them', () => {
  it.each([false, true])('written forms (at a key: %s)', (atKey) => {
    for (const text of WRITTEN) {
      const mine = own(text, atKey);
      const reference = bySchema(text, atKey);
      if (!same(mine, reference)) throw new Error(`${JSON.stringify(text)}: ${String(mine?.value)} against ${String(reference?.value)}`);
    }
  });

  it('random strings over the characters the tags test', () => {
    // A fixed linear congruential sequence: the same strings on every run.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '0123456789._:-+eExbotTZ~<nulNULyYsSOfFaAiI rR ';
    let checked = 0;
    for (let i = 0; i < 60_000; i++) {
      const length = 1 + Math.floor(next() * 10);
      let text = '';
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)];
      if (text !== text.trim()) continue;
      const atKey = next() < 0.5;
      const mine = own(text, atKey);
      const reference = bySchema(text, atKey);
      if (!same(mine, reference)) throw new Error(`${JSON.stringify(text)} (at a key: ${atKey}): ${String(mine?.value)} against ${String(reference?.value)}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(40_000);
  });
});
