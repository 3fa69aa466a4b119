/**
 * The launch-script scan (engine/repository.ts listScripts, engine/script-mentions.ts) gives the answers
 * of its first, plainer version on random scripts, names and folder trees: the same scripts, in the same
 * order, with the same truncation. The reference below is that version as it was (before the walk sorted
 * only the entries it uses, and the prefilter searched the bytes for what each way of naming a file needs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import { listScripts, SCRIPT_EXTENSIONS, type ScriptFilter, type ScriptListing } from '../src/engine/repository.js';
import { mayExpandToName, mayNameFile, mayNameHydraConfig, mayNameIndirectly, mayNameNeoxConfig, mayRunHydraApp } from '../src/engine/script-mentions.js';

// ---------------------------------------------------------------------------------------------------
// The reference: script-mentions.ts and repository.ts's filter and walk, as they were.
// ---------------------------------------------------------------------------------------------------

const reference = (() => {
/** Characters that end a path word in a shell line (and some that only make the word shorter). */
const DELIMITER = /[\s"'`=,;:()<>|&[\]{}]/;
/** A word holding one of these may expand to anything: kept. */
const UNSURE = /[$*?~\\%]|(?:^|\/)\.\.(?:\/|$)/;

/**
 * Whether `text` holds a path word ending in `name` that may lead to one of `targets` (absolute
 * POSIX paths of the linted files named `name`).
 */
function mayNameFile(text: string, name: string, targets: readonly string[], scriptDir?: string): boolean {
  return mayNameLiterally(text, name, targets) || mayExpandToName(text, name) || mayNameHydraConfig(text, name) || mayRunHydraApp(text, name, targets, scriptDir);
}

/** A path word ending in `name` that may lead to one of `targets`. */
function mayNameLiterally(text: string, name: string, targets: readonly string[]): boolean {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const end = at + name.length;
    // `sft.yaml.bak`, `sft.yamlx`: another name.
    if (end < text.length && !DELIMITER.test(text[end])) continue;
    let start = at;
    while (start > 0 && !DELIMITER.test(text[start - 1])) start--;
    // Right after `${DIR}`, `$(dirname "$0")`, `{a,b}`: the start of the path is an expansion.
    if (start > 0 && (text[start - 1] === '}' || text[start - 1] === ')')) return true;
    const word = text.slice(start, end);
    if (word !== name && !word.endsWith(`/${name}`)) continue; // `qwen3_full_sft.yaml`
    if (UNSURE.test(word)) return true;
    const written = word.replace(/^(?:\.\/)+/, '').replace(/\/(?:\.\/)+/g, '/').replace(/\/{2,}/g, '/');
    for (const target of targets) {
      if (written.startsWith('/') ? target === written : target === written || target.endsWith(`/${written}`)) return true;
    }
  }
  return false;
}

/**
 * GPT-NeoX's launcher takes a config's name without `.yml` and its folder apart (`deepy.py train.py -d
 * configs 125M local_setup`; script-links.ts neoxConfigs): a script that runs deepy.py and holds the
 * name's stem as a word of its own may name `125M.yml`.
 */
function mayNameNeoxConfig(text: string, name: string): boolean {
  if (!name.endsWith('.yml') || !text.includes('deepy.py')) return false;
  const stem = name.slice(0, -'.yml'.length);
  if (stem === '') return false;
  for (let at = text.indexOf(stem); at !== -1; at = text.indexOf(stem, at + 1)) {
    const end = at + stem.length;
    const before = at === 0 || DELIMITER.test(text[at - 1]) || text[at - 1] === '/';
    if (before && (end === text.length || DELIMITER.test(text[end]))) return true;
  }
  return false;
}

/** Characters that end a word of a shell line, for the path segments below. */
const WORD_BREAK = /[\s"'=;|&()]/;
/** A path segment built only from name characters and `$VAR` / `${VAR}` (checked by a scan, see isVariableSegment). */
const NAME_CHAR = /[\w.+-]/;

/** Whether `seg` is name characters and shell variables only, with at least one variable. */
function isVariableSegment(seg: string): boolean {
  let variables = 0;
  for (let i = 0; i < seg.length; ) {
    if (seg[i] === '$') {
      if (seg[i + 1] === '{') {
        const close = seg.indexOf('}', i + 2);
        if (close < 0 || !/^\w+$/.test(seg.slice(i + 2, close))) return false;
        i = close + 1;
      } else {
        let j = i + 1;
        while (j < seg.length && /\w/.test(seg[j])) j++;
        if (j === i + 1) return false;
        i = j;
      }
      variables++;
    } else if (NAME_CHAR.test(seg[i])) i++;
    else return false;
  }
  return variables > 0;
}

/** The last path segment of each word built from shell variables: `${TASK}_${MODEL}.yaml`, `$NAME.yaml`. */
function variableSegments(text: string): string[] {
  const out: string[] = [];
  // Only the words around a `$`, each once.
  for (let at = text.indexOf('$'); at !== -1; ) {
    let start = at;
    while (start > 0 && !WORD_BREAK.test(text[start - 1])) start--;
    let end = at;
    while (end < text.length && !WORD_BREAK.test(text[end])) end++;
    const word = text.slice(start, end);
    const seg = word.slice(word.lastIndexOf('/') + 1);
    if (isVariableSegment(seg)) out.push(seg);
    at = text.indexOf('$', Math.max(end, at + 1));
  }
  return out;
}

/**
 * What a script's text holds that may name a file indirectly, read once per text (callers ask for many
 * names of one script in a row; every name must not rescan it): the variable-built path segments, the
 * Hydra config names written, and whether it runs a Python program with Hydra overrides.
 */
interface Indirect {
  segments?: string[];
  hydraNames?: string[];
  app?: boolean;
  pythonFiles?: string[];
}
let lastText: string | undefined;
let lastIndirect: Indirect = {};

function indirectOf(text: string): Indirect {
  if (text !== lastText) {
    lastText = text;
    lastIndirect = {};
  }
  return lastIndirect;
}

/**
 * A path whose file name is built from shell variables (`CONFIG=configs/${TASK}_${MODEL}.yaml`) that
 * could expand to `name`: its literal parts, in order, fit the name (each variable stands for anything),
 * and it ends with the name's extension. The parser then expands what the script assigns.
 */
function mayExpandToName(text: string, name: string): boolean {
  const ext = /\.[A-Za-z]+$/.exec(name)?.[0];
  if (!ext || !text.includes('$')) return false;
  const indirect = indirectOf(text);
  for (const segment of (indirect.segments ??= variableSegments(text))) {
    if (segment.endsWith(ext) && fitsLiteralParts(segment.split(/\$\{\w+\}|\$\w+/), name)) return true;
  }
  return false;
}

/**
 * Whether `name` is the literal `parts` in order with anything between them (each variable of a
 * segment stands for any text): the first part a prefix, the last a suffix, the others found in order.
 * A scan with indexOf: no regular expression built from the script's text.
 */
function fitsLiteralParts(parts: string[], name: string): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length === 1) return name === first;
  if (!name.startsWith(first) || !name.endsWith(last) || first.length + last.length > name.length) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = name.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}

/** A Hydra config named without its extension: `--config-name=X`, `--config-name X`, `-cn X`, `config_name="X"`. */
const HYDRA_CONFIG_NAME = /(?:--config-name|--config_name|\s-cn|\bconfig_name)(?:\s*=\s*|\s+)["']?([\w./-]+?)(?:\.ya?ml)?["']?(?=[\s,)]|$)/gm;

/** Whether a Hydra command or app (`--config-name=megatron_gpt_config`, `@hydra_runner(config_name=…)`) names a YAML file called `name`. */
function mayNameHydraConfig(text: string, name: string): boolean {
  const stem = /^(.+)\.ya?ml$/.exec(name)?.[1];
  if (!stem || !text.includes(stem)) return false;
  const indirect = indirectOf(text);
  const names = (indirect.hydraNames ??= [...text.matchAll(HYDRA_CONFIG_NAME)].map((m) => m[1]));
  return names.some((written) => written === stem || written.endsWith(`/${stem}`));
}

/** The `x/y/train` of each `x/y/train.py` in the text (found by `.py`, then walked back: no regex backtracking). */
function pythonFiles(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('.py'); at !== -1; at = text.indexOf('.py', at + 3)) {
    const after = text[at + 3];
    if (after !== undefined && /\w/.test(after)) continue;
    let start = at;
    while (start > 0 && /[\w./-]/.test(text[start - 1])) start--;
    if (start < at) out.push(text.slice(start, at));
  }
  return out;
}

/** A Hydra override word (`trainer.devices=8`, `+model.x=1`, `~a.b`) standing on its own, not a flag's `--k=v`. */
const HYDRA_OVERRIDE = /(?:^|\s)[+~]{0,2}[A-Za-z_]\w*(?:\.\w+)+=\S/m;

/** Whether the text runs a Python program with Hydra overrides (once per text). */
function runsHydraApp(text: string): boolean {
  const indirect = indirectOf(text);
  return (indirect.app ??= /\.py\b/.test(text) && HYDRA_OVERRIDE.test(text));
}

/**
 * A Hydra application whose decorator names the config (`@hydra_runner(config_path="conf",
 * config_name="megatron_gpt_config")` in NeMo's example scripts), run with overrides and no config flag:
 * the script names only the Python program. A program in the config's folder or the folder above it
 * (Hydra's `config_path` is relative to the program) may read it; the parser reads the program.
 */
function mayRunHydraApp(text: string, name: string, targets: readonly string[], scriptDir?: string): boolean {
  if (!/\.ya?ml$/.test(name) || !runsHydraApp(text)) return false;
  const folders = targets.flatMap((t) => {
    const dir = t.slice(0, t.lastIndexOf('/'));
    return [dir, dir.slice(0, dir.lastIndexOf('/'))];
  });
  const indirect = indirectOf(text);
  for (const written of (indirect.pythonFiles ??= pythonFiles(text))) {
    const word = written.replace(/^(?:\.\/)+/, '');
    const dir = word.includes('/') ? word.slice(0, word.lastIndexOf('/')) : '';
    if (UNSURE.test(word)) return true;
    // A bare `train.py` runs from the script's working directory: its own folder (absolute, POSIX) unless it
    // changes directory, when the program may be anywhere.
    if (dir === '' && scriptDir !== undefined && !/(?:^|[\s;&|(])(?:cd|pushd)\s/.test(text)) {
      if (folders.includes(scriptDir)) return true;
      continue;
    }
    if (folders.some((f) => (dir === '' ? true : f === dir || f.endsWith(`/${dir}`)))) return true;
  }
  return false;
}

/**
 * Whether a script's text may name a file called `name` in a way its bytes do not show as the name
 * itself (repository.ts, before the paths are known): a file name built from variables, a Hydra config
 * name, or a Python program that may be a Hydra application.
 */
function mayNameIndirectly(text: string, name: string): boolean {
  return mayExpandToName(text, name) || mayNameHydraConfig(text, name) || (/\.ya?ml$/.test(name) && runsHydraApp(text));
}

/** Folders never walked for scripts. */
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

  return { mayNameFile, mayNameNeoxConfig, mayNameIndirectly, mayExpandToName, mayNameHydraConfig, mayRunHydraApp, listScripts };
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
const DIRS = ['configs', 'examples/hf-trainer', 'conf', 'a/b', 'r'];
const SCRIPT_DIRS = [undefined, '/r', '/r/configs', '/r/examples', '/r/conf', '/r/a/b'];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));
const namePart = fc.array(fc.constantFrom('sft', 'a', '_', '-', 'x', 'é', '.', 'yaml', 'yml', 'json', '$', '1', 'M'), { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
const name = fc.oneof(fc.constantFrom(...NAMES), namePart);

describe('script-mentions: the answers of the reference', () => {
  test('every check, on random scripts and names', () => {
    fc.assert(
      fc.property(text, fc.array(name, { minLength: 1, maxLength: 4 }), fc.constantFrom(...DIRS), fc.constantFrom(...SCRIPT_DIRS), (t, names, dir, scriptDir) => {
        // Several names of one script in a row, as callers ask them (the per-text caches are shared between names).
        for (const n of names) {
          const targets = [`/r/${dir}/${n}`, `/r/${n}`];
          expect([n, mayNameFile(t, n, targets, scriptDir)]).toEqual([n, reference.mayNameFile(t, n, targets, scriptDir)]);
          expect([n, mayNameNeoxConfig(t, n)]).toEqual([n, reference.mayNameNeoxConfig(t, n)]);
          expect([n, mayNameIndirectly(t, n)]).toEqual([n, reference.mayNameIndirectly(t, n)]);
          expect([n, mayExpandToName(t, n)]).toEqual([n, reference.mayExpandToName(t, n)]);
          expect([n, mayNameHydraConfig(t, n)]).toEqual([n, reference.mayNameHydraConfig(t, n)]);
          expect([n, mayRunHydraApp(t, n, targets, scriptDir)]).toEqual([n, reference.mayRunHydraApp(t, n, targets, scriptDir)]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('variable-built names, Hydra names and apps that do name the file', () => {
    const cases: [string, string][] = [
      ['CONFIG=configs/${TASK}_${MODEL}.yaml\ntorchrun train.py $CONFIG\n', 'sft_llama.yaml'],
      ['CONFIG=configs/${TASK}_mistral.yaml\n', 'sft_llama.yaml'],
      ['python train.py --config "$DIR/$NAME.yaml"\n', 'x.yaml'],
      ['python train.py a/$X.yaml.bak $Y.yaml', 'sft.yaml'],
      ['python run.py --config-name=sft trainer.devices=8\n', 'sft.yaml'],
      ['python conf/run.py trainer.devices=8\n', 'sft.yaml'],
      ['+~a.b=1 x.py', 'a.yaml'],
      ['python ./deepy.py train.py -d configs 125M local_setup\n', '125M.yml'],
      ['echo ${A}\u00a0$B.yaml', 'sft.yaml'],
      ['echo $B.yaml\u2028${A}.yaml', 'sft.yaml'],
    ];
    for (const [t, n] of cases) {
      const targets = [`/r/conf/${n}`];
      expect([t, n, mayNameFile(t, n, targets, '/r')]).toEqual([t, n, reference.mayNameFile(t, n, targets, '/r')]);
      expect([t, n, mayNameIndirectly(t, n)]).toEqual([t, n, reference.mayNameIndirectly(t, n)]);
    }
  });
});

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
