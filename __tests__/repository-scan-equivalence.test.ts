/**
 * The launch-script scan (engine/repository.ts listScripts) gives the answers of its first, plainer version
 * on random scripts, names and folder trees: the same scripts, in the same order, with the same truncation.
 * The reference below is that walk and byte prefilter as they were (before the walk sorted only the entries
 * it uses, and the prefilter searched the bytes for what each way of naming a file needs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import { listScripts, SCRIPT_EXTENSIONS, type ScriptFilter, type ScriptListing } from '../src/engine/repository.js';
import { mayNameIndirectly } from '../src/engine/script-mentions.js';

// ---------------------------------------------------------------------------------------------------
// The reference: repository.ts's byte prefilter and walk as they were (script-mentions.ts's own answers are those
// of today: its tests are its own).
// ---------------------------------------------------------------------------------------------------

const reference = (() => {
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'wandb', 'outputs']);
/** Files are read in one piece when they fit this scratch buffer, reused from file to file. */
const SCRATCH_BYTES = 256 * 1024;

/**
 * A predicate on a script's bytes: does it hold one of `names`? Undefined (keep every script) when
 * there is nothing to search for that a byte search can decide.
 */
const DEEPY = Buffer.from('deepy.py', 'utf8');
const DOLLAR = Buffer.from('$', 'utf8');
const DOT_PY = Buffer.from('.py', 'utf8');
/**
 * Words of a command that may name a Hydra config without its extension or a `$`: `fairseq-hydra-train
 * --config-dir config/pretraining --config-name roberta_small` (script-mentions.ts mayNameHydraConfig).
 */
const HYDRA_CONFIG_WORDS = ['config-name', 'config_name', '-cn', '--config-dir'].map((w) => Buffer.from(w, 'utf8'));

function mentionTest(names: ReadonlySet<string>, maxBytes: number): ((abs: string) => boolean) | undefined {
  // A name with U+FFFD could match a replaced invalid byte in the decoded text only.
  if ([...names].some((n) => n.length === 0 || n.includes('\uFFFD'))) return undefined;
  const needles = [...names].map((n) => Buffer.from(n, 'utf8'));
  // GPT-NeoX's deepy.py takes `125M` for `125M.yml` (script-mentions.ts mayNameNeoxConfig): in a script that runs it, the stem too.
  const stems = [...names].filter((n) => n.endsWith('.yml') && n.length > 4).map((n) => Buffer.from(n.slice(0, -4), 'utf8'));
  let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  return (abs) => {
    let fd: number;
    try {
      fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return true;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > maxBytes) return true;
      // One byte more than its size: a file that grew since is kept unjudged.
      if (scratch.length < st.size + 1) scratch = Buffer.allocUnsafe(st.size + 1);
      let n = 0;
      for (;;) {
        const got = readSync(fd, scratch, n, st.size + 1 - n, null);
        if (got === 0) break;
        n += got;
        if (n > st.size) return true;
      }
      const bytes = scratch.subarray(0, n);
      if (needles.some((needle) => bytes.includes(needle)) || (stems.length > 0 && bytes.includes(DEEPY) && stems.some((stem) => bytes.includes(stem)))) return true;
      // A name the bytes do not hold as such: built from variables, a Hydra config name, a Hydra app's decorator.
      if (!bytes.includes(DOLLAR) && !bytes.includes(DOT_PY) && !HYDRA_CONFIG_WORDS.some((w) => bytes.includes(w))) return false;
      const text = bytes.toString('utf8');
      return [...names].some((name) => mayNameIndirectly(text, name));
    } catch {
      return true;
    } finally {
      closeSync(fd);
    }
  };
}

/**
 * Launch scripts under `dir`, in a stable order. Hidden folders, dependency folders and symbolic
 * links are not followed; `skip` drops folders (before they are read) and files (root-relative
 * paths, e.g. `ignore` globs); `filter.mentioning` keeps only the scripts that name a file.
 * Entries are typed by the listing itself (no stat per entry).
 */
function listScripts(dir: string, skip: (abs: string, isDir: boolean) => boolean = () => false, filter: ScriptFilter = {}, maxEntries = 100_000): ScriptListing {
  const scripts: string[] = [];
  const mentions = filter.mentioning ? mentionTest(filter.mentioning, filter.maxBytes ?? Number.MAX_SAFE_INTEGER) : undefined;
  let visited = 0;
  let truncated = false;
  const walk = (d: string) => {
    if (truncated) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // `d` is absolute and normalised, an entry's name has no separator: joined without path.join.
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (const e of entries) {
      if (++visited > maxEntries) {
        truncated = true;
        return;
      }
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
        const abs = prefix + e.name;
        if (!skip(abs, true)) walk(abs);
      } else if (e.isFile() && SCRIPT_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
        const abs = prefix + e.name;
        if (!skip(abs, false) && (!mentions || mentions(abs))) scripts.push(abs);
      }
    }
  };
  walk(path.resolve(dir));
  return { scripts, truncated };
}

  return { listScripts };
})();

// ---------------------------------------------------------------------------------------------------

/** Pieces of shell text around the ways a script names a config. */
const PIECES = [
  'sft', 'sft_', 'llama', '.yaml', '.yml', '.json', 'yaml', '.YAML', '$', '${A}', '${TASK}', '${', '}', '$B', '$0', '/', ' ', '  ', '\n', '\r\n', '\t',
  '"', "'", '`', '=', ',', ';', ':', '(', ')', '<', '>', '|', '&', '[', ']', '{', '.py', 'train', 'train.py', 'run.py', 'configs', 'conf', 'examples',
  'hf-trainer', '--config-name', '--config_name', ' -cn ', 'config_name', '--config-dir', '..', '.', './', '~', '*', '?', '%', '\\', '\u00a0', '\u2028',
  '\u3000', '\ufeff', 'é', 'ü', '\ufffd', 'deepy.py', '125M', '+', '++', '+~', '~', 'a.b', 'trainer.devices=8', 'model.x', '=1', '= 1', 'cd ', 'pushd ',
  'python ', 'torchrun ', '_', '-', 'x', '0', '$(dirname "$0")', '@hydra_runner(config_path="conf", config_name="sft")',
];
const NAMES = ['sft.yaml', 'sft_llama.yaml', '125M.yml', 'config.json', 'a.yaml', 'train.yaml', 'x.yml', 'B.yaml', 'sft.YAML', 'é.yaml', 'run', 'a.b.yaml', '.yaml'];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));
const namePart = fc.array(fc.constantFrom('sft', 'a', '_', '-', 'x', 'é', '.', 'yaml', 'yml', 'json', '$', '1', 'M'), { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
const name = fc.oneof(fc.constantFrom(...NAMES), namePart);

describe('listScripts: the scripts of the reference walk, in its order', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  const SEGMENTS = ['a', 'b', 'B', 'conf', '.hidden', 'node_modules', 'venv', 'outputs', 'x.sh', '\uE000', '𝒳'];
  // `\uE000.sh` and `𝒳.sh`: UTF-16 order (the walk's) is not the byte order a listing may come in.
  const FILES = ['run.sh', 'x.sh', 'Y.SH', 'z.bash', 'job.sbatch', 'k.slurm', 'k.Slurm', 'n.txt', 'sft.yaml', '.sh', 'a.sh.bak', 'é.sh', 'b', '\uE000.sh', '𝒳.sh'];
  const file = fc.record({
    dirs: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 3 }),
    base: fc.constantFrom(...FILES),
    text: fc.oneof(text, fc.constant('echo padding\n'.repeat(30))),
  });

  function tree(files: { dirs: string[]; base: string; text: string }[]): string {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-scan-equivalence-')));
    made.push(root);
    for (const f of files) {
      const dir = path.join(root, ...f.dirs);
      const abs = path.join(dir, f.base);
      try {
        fs.mkdirSync(dir, { recursive: true });
        if (!fs.existsSync(abs)) fs.writeFileSync(abs, f.text);
      } catch {
        // A folder where a file is (`x.sh/…`) or the reverse: that entry is left out.
      }
    }
    // Links are never followed nor listed: one to a folder, one to a script.
    try {
      fs.symlinkSync(root, path.join(root, 'loop'));
      fs.writeFileSync(path.join(root, 'target.txt'), 'sft.yaml\n');
      fs.symlinkSync(path.join(root, 'target.txt'), path.join(root, 'link.sh'));
    } catch {
      // No links on this file system.
    }
    return root;
  }

  test('random trees, names, byte limits and entry limits', () => {
    fc.assert(
      fc.property(
        fc.array(file, { maxLength: 14 }),
        fc.option(fc.array(name, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.constantFrom(0, 5, 60, 1 << 20),
        fc.constantFrom(0, 1, 2, 3, 5, 8, 13, 100_000),
        fc.constantFrom('none', 'a', 'b/'),
        (files, names, maxBytes, maxEntries, skipping) => {
          const root = tree(files);
          const skip = (abs: string, isDir: boolean) => skipping !== 'none' && path.basename(abs) === skipping.replace('/', '') && (isDir || !skipping.endsWith('/'));
          const filter: ScriptFilter = names ? { mentioning: new Set(names), maxBytes } : {};
          const got = listScripts(root, skip, filter, maxEntries);
          const want = reference.listScripts(root, skip, filter, maxEntries);
          expect(got).toEqual(want);
          fs.rmSync(root, { recursive: true, force: true });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('each indirect way of naming a file keeps its script, without the name written', () => {
    const root = tree([
      { dirs: [], base: 'vars.sh', text: 'CONFIG=configs/${TASK}_${MODEL}.yaml\ntorchrun x $CONFIG\n' },
      { dirs: [], base: 'json.sh', text: 'deepspeed x --ds configs/$STAGE.json\n' },
      { dirs: [], base: 'hydra.sh', text: 'fairseq-hydra-train --config-dir conf --config-name sft_llama\n' },
      { dirs: [], base: 'app.sh', text: 'python conf/run.py trainer.devices=8\n' },
      { dirs: [], base: 'neox.sh', text: 'python ./deepy.py train.py -d configs 125M local\n' },
      { dirs: [], base: 'none.sh', text: 'echo $HOME configs/other.yaml --config-name other\n' },
    ]);
    for (const [names, kept] of [
      [['sft_llama.yaml'], ['app.sh', 'hydra.sh', 'vars.sh']],
      [['ds_zero3.json'], ['json.sh']],
      [['125M.yml'], ['app.sh', 'neox.sh']],
      [['ds_zero3.json', 'sft_llama.yaml'], ['app.sh', 'hydra.sh', 'json.sh', 'vars.sh']],
    ] as const) {
      const filter = { mentioning: new Set<string>(names), maxBytes: 1 << 20 };
      const got = listScripts(root, undefined, filter).scripts.map((abs) => path.basename(abs));
      expect([names, got]).toEqual([names, kept]);
      expect(listScripts(root, undefined, filter)).toEqual(reference.listScripts(root, undefined, filter));
    }
  });

  test('names in UTF-16 order, which a listing in byte order is not', () => {
    const root = tree([
      { dirs: [], base: '𝒳.sh', text: 'x' },
      { dirs: [], base: '\uE000.sh', text: 'x' },
      { dirs: ['𝒳'], base: 'a.sh', text: 'x' },
      { dirs: ['\uE000'], base: 'a.sh', text: 'x' },
    ]);
    const want = ['𝒳/a.sh', '𝒳.sh', '\uE000/a.sh', '\uE000.sh'];
    expect(listScripts(root).scripts.map((abs) => path.relative(root, abs))).toEqual(want);
    expect(reference.listScripts(root).scripts.map((abs) => path.relative(root, abs))).toEqual(want);
    expect(listScripts(root, undefined, {}, 3)).toEqual(reference.listScripts(root, undefined, {}, 3));
  });

  test('the folders `skip` is asked about, in order, under the limit', () => {
    const root = tree([
      { dirs: ['b', 'a'], base: 'run.sh', text: 'x' },
      { dirs: ['a'], base: 'z.sh', text: 'x' },
      { dirs: ['a', 'conf'], base: 'n.txt', text: 'x' },
      { dirs: ['B'], base: 'k.slurm', text: 'x' },
    ]);
    const asked = (list: typeof listScripts) => {
      const seen: string[] = [];
      list(root, (abs, isDir) => {
        seen.push(`${path.relative(root, abs)}${isDir ? '/' : ''}`);
        return false;
      });
      return seen;
    };
    expect(asked(listScripts)).toEqual(asked(reference.listScripts));
  });

  test('this repository: every config name finds the scripts it found before', () => {
    const repoRoot = path.resolve(__dirname, '..');
    const names = new Set<string>();
    const collect = (dir: string, depth: number) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        if (e.isDirectory() && depth < 8) collect(path.join(dir, e.name), depth + 1);
        else if (/\.(ya?ml|json|toml|py)$/.test(e.name)) names.add(e.name);
      }
    };
    collect(path.join(repoRoot, 'examples'), 0);
    collect(path.join(repoRoot, '__tests__'), 0);
    const all = [...names].sort();
    expect(all.length).toBeGreaterThan(20);
    const filter = (mentioning: string[]) => ({ mentioning: new Set(mentioning), maxBytes: 2 * 1024 * 1024 });
    expect(listScripts(repoRoot, undefined, filter(all))).toEqual(reference.listScripts(repoRoot, undefined, filter(all)));
    // One name at a time, for a spread of them.
    for (const n of all.filter((_, i) => i % Math.ceil(all.length / 25) === 0).concat(['sft.yaml', '125M.yml'])) {
      expect([n, listScripts(repoRoot, undefined, filter([n])).scripts]).toEqual([n, reference.listScripts(repoRoot, undefined, filter([n])).scripts]);
    }
  });
});
