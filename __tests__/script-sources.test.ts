/**
 * Launch scripts that source a file of the repository (`source ./hparams.env`, `. "$(dirname "$0")/env.sh"`):
 * its assignments apply where the statement is, read through the engine's resolver (never run).
 */
import { lint } from '../src/engine/lint';
import { repoRootOf } from '../src/engine/repo-files';
import { baseSourceReader, sourceReaderFor } from '../src/engine/script-sources';
import { tempRepos } from './helpers/temp-repo';

const { repo } = tempRepos('trainlint-script-sources');

const OPENCLIP = (batch: string) =>
  [
    'torchrun --nproc_per_node 4 -m open_clip_train.main \\',
    "    --train-data '/data/laion/{00000..00999}.tar' --train-num-samples 10000000 --dataset-type webdataset \\",
    `    --batch-size ${batch} --lr $LR --warmup 2000 --epochs 30 --workers 8`,
    '',
  ].join('\n');

async function planOf(dir: string, script: string) {
  const { results } = await lint({ root: dir, paths: [script], config: {} });
  return results.find((r) => r.file.path === script)?.extraction?.plan;
}

describe('source FILE in a launch script', () => {
  test('a sourced env file overrides the value set before it', async () => {
    const dir = repo({ 'scripts/hparams.env': 'BS=2200\nLR=1e-3\n', 'scripts/train.sh': `#!/bin/bash\nBS=800\nLR=5e-4\nsource scripts/hparams.env\n${OPENCLIP('$BS')}` });
    const plan = await planOf(dir, 'scripts/train.sh');
    expect(plan?.microBatchSize?.value).toBe(2200);
    expect(plan?.peakLr?.value).toBe(1e-3);
  });

  test('"$(dirname "$0")/env.sh" and a folder variable built on it are the script\'s folder', async () => {
    const env = { 'scripts/env.sh': 'export BS=1024\nLR=2e-4\n' };
    const direct = repo({ ...env, 'scripts/train.sh': `#!/bin/bash\n. "$(dirname "$0")/env.sh"\n${OPENCLIP('$BS')}` });
    expect((await planOf(direct, 'scripts/train.sh'))?.microBatchSize?.value).toBe(1024);
    const viaVar = repo({ ...env, 'scripts/train.sh': `#!/bin/bash\nSCRIPT_DIR=$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)\nsource "$SCRIPT_DIR/env.sh"\n${OPENCLIP('$BS')}` });
    expect((await planOf(viaVar, 'scripts/train.sh'))?.microBatchSize?.value).toBe(1024);
  });

  test('after a cd, the path is looked up from the new folder, then from the script\'s', async () => {
    const dir = repo({ 'train/cfg/run.env': 'BS=640\n', 'scripts/train.sh': `#!/bin/bash\ncd train\nsource cfg/run.env\n${OPENCLIP('$BS')}` });
    expect((await planOf(dir, 'scripts/train.sh'))?.microBatchSize?.value).toBe(640);
  });

  test('a missing file, a path built on an unknown variable, an absolute path or one outside the repository: not read, and why', () => {
    const dir = repo({ 'a.sh': '' });
    const read = sourceReaderFor(repoRootOf(dir), 'scripts/train.sh', 1 << 20);
    expect(read('missing.env', [])).toEqual({ why: expect.stringContaining('missing.env is not a file in the repository') });
    expect(read('$CONF_DIR/env.sh', [])).toEqual({ why: expect.stringContaining('not one trainlint can follow') });
    expect(read('/etc/profile', [])).toEqual({ why: expect.stringContaining('not one trainlint can follow') });
    expect(read('../../outside.env', [])).toEqual({ why: expect.any(String) });
  });

  test('at the base: the base text, a path not read yet asked for, one the base does not hold read as it is now', () => {
    const dir = repo({ 'scripts/env.sh': 'BS=2200\n', 'scripts/new.sh': 'BS=4\n' });
    const root = repoRootOf(dir);
    const wanted = new Set<string>();
    const texts = new Map<string, string | null>([['scripts/new.sh', null]]);
    const now = sourceReaderFor(root, 'scripts/train.sh', 1 << 20);
    const read = baseSourceReader(root, 'scripts/train.sh', 'abc123', texts, (abs) => abs.slice(dir.length + 1), wanted, now);
    expect(read('env.sh', [])).toEqual({ why: 'env.sh is not read at abc123 yet' });
    expect([...wanted]).toEqual(['scripts/env.sh']);
    texts.set('scripts/env.sh', '\uFEFFBS=800\n');
    expect(read('env.sh', [])).toEqual({ text: 'BS=800\n', rel: 'scripts/env.sh' });
    expect(read('new.sh', [])).toEqual({ text: 'BS=4\n', rel: 'scripts/new.sh' });
    expect(read('missing.env', [])).toEqual({ why: expect.stringContaining('missing.env is not a file in the repository') });
  });
});
