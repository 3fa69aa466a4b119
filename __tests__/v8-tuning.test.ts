import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { bundled, ended, runNode } from './helpers/child';
import { allowV8Tuning, LARGE_RUN_FILES, LINT_V8_FLAGS, tuneV8ForRun, YOUNG_GENERATION_BYTES } from '../src/v8-tuning.js';

describe('V8 settings of a trainlint process', () => {
  it('are flags this Node knows (an unknown one is printed as an error at every start)', () => {
    const known = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    for (const flag of LINT_V8_FLAGS) {
      const name = flag.replace(/^--(no-)?/, '').replace(/=.*/, '');
      expect(known).toMatch(new RegExp(`^\\s+--${name} `, 'm'));
    }
  });

  it('take effect in the process (the young generation stops growing) and print nothing', () => {
    const script = `
      const v8 = require('node:v8');
      v8.setFlagsFromString(${JSON.stringify(LINT_V8_FLAGS.join(' '))});
      // V8's own view of the young generation: with V8's defaults it grows to tens of MiB while
      // this loop allocates and keeps objects alive a while; with the tuning it stays at a few.
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 2e5) keep = []; }
      const after = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      process.stdout.write(String(after / 1048576));
    `;
    const tuned = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(tuned.stderr).toBe('');
    expect(Number(tuned.stdout)).toBeLessThanOrEqual(4);
    const untouched = spawnSync(process.execPath, ['-e', script.replace(/v8\.setFlagsFromString\([^)]*\);/, '')], { encoding: 'utf8' });
    expect(Number(untouched.stdout)).toBeGreaterThanOrEqual(8);
  });

  it('let the young generation of a run that keeps its results grow to YOUNG_GENERATION_BYTES, and no further', async () => {
    const script = await bundled('__tests__/helpers/young-generation-runner.ts');
    const sizes: Record<string, { grown: boolean; newSpaceMiB: number }> = {};
    for (const mode of ['stopped', 'grown']) {
      const r = await runNode(script, [mode], { cwd: os.tmpdir(), timeoutMs: 60_000 });
      if (r.code !== 0 || r.stderr !== '') throw new Error(ended(r));
      sizes[mode] = JSON.parse(r.stdout);
    }
    const target = YOUNG_GENERATION_BYTES / 2 ** 20;
    expect(sizes.stopped.grown).toBe(false);
    expect(sizes.stopped.newSpaceMiB).toBeLessThan(target);
    expect(sizes.grown.grown).toBe(true);
    expect(sizes.grown.newSpaceMiB).toBe(target);
  }, 90_000);

  it('are set once, for a large run, in a process that allowed them, unless TRAINLINT_V8_DEFAULTS=1', () => {
    // A library user's process (nothing allowed them) keeps V8's settings.
    expect(tuneV8ForRun(LARGE_RUN_FILES * 10, {})).toBe(false);
    allowV8Tuning();
    expect(tuneV8ForRun(LARGE_RUN_FILES - 1, {})).toBe(false);
    expect(tuneV8ForRun(LARGE_RUN_FILES, { TRAINLINT_V8_DEFAULTS: '1' })).toBe(false);
    expect(tuneV8ForRun(LARGE_RUN_FILES, {})).toBe(true);
    expect(tuneV8ForRun(LARGE_RUN_FILES, {})).toBe(false);
  });
});
