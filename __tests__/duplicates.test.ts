/** duplicate-key as the framework's loader sees it (engine/duplicates.ts). */
import { DIALECTS } from '../src/dialects/index';
import { duplicateKeyFinding } from '../src/engine/duplicates';
import { parseSource } from '../src/engine/load-file';

const dialect = (id: string) => DIALECTS.find((d) => d.meta.id === id);

function findings(path: string, text: string, dialectId?: string) {
  const file = parseSource(path, text);
  return file.problems.filter((p) => p.kind === 'duplicate-key').map((p) => duplicateKeyFinding(p, file, dialectId ? dialect(dialectId) : undefined, 'error'));
}

describe('duplicate-key', () => {
  test('equal values are redundant: a warning', () => {
    const [f] = findings('sft.yaml', 'learning_rate: 2.0e-5\nmax_steps: 10\nlearning_rate: 2.0e-5\n', 'hf-trainer');
    expect(f).toMatchObject({ severity: 'warning', range: { line: 3 }, data: { valuesDiffer: false, firstLine: 1 } });
    expect(f.message).toBe('duplicate key "learning_rate" repeats line 1 with the same value 2.0e-5: redundant; remove one');
  });

  test('different values say which one wins and where the other is, for each repeat', () => {
    const [second, third] = findings('args.json', '{\n"lr": 1e-4,\n"lr": 2e-4,\n"lr": 3e-4\n}\n');
    expect(second.severity).toBe('error');
    expect(second.message).toContain('so both this 2e-4 and 1e-4 at line 2 lose to 3e-4 at line 4');
    expect(third.message).toContain('so this value 3e-4 wins over 1e-4 at line 2');
    expect(third.data).toMatchObject({ valuesDiffer: true, winsLine: 4 });
  });

  test('a loader that rejects duplicates (OmegaConf.load): an error, equal values or not', () => {
    const [f] = findings('run.yaml', 'max_duration: 100ba\nmax_duration: 100ba\n', 'composer');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('OmegaConf.load, which raises "found duplicate key", so the file does not load');
  });

  test('TOML keeps the loader message (tomllib refuses the file)', () => {
    const [f] = findings('train.toml', '[training]\nsteps = 10\nsteps = 10\n');
    expect(f.message).toContain('TOML forbids redefining a key');
  });
});
