/**
 * Whether a launch script's text may name one of the linted configs, before the script is parsed.
 *
 * A one-file lint reads the repository's launch scripts that name the file (engine/lint.ts
 * `repositoryScripts`). Its name alone (`sft.yaml`) is in many scripts that name another file of
 * that name (`configs/sft.yaml` in another project, `qwen3_full_sft.yaml`). A path a script writes
 * is resolved against a base folder (its working directory, its own folder, the repository root):
 * joined to any base, it ends with what is written. So a written path that is not a tail of the
 * config's path cannot lead to it. Anything this cannot read for sure (shell variables, `..`, globs,
 * a home folder, escapes) is kept for the parser to decide.
 */

/** Characters that end a path word in a shell line (and some that only make the word shorter). */
const DELIMITER = /[\s"'`=,;:()<>|&[\]{}]/;
/** A word holding one of these may expand to anything: kept. */
const UNSURE = /[$*?~\\%]|(?:^|\/)\.\.(?:\/|$)/;

/**
 * Whether `text` holds a path word ending in `name` that may lead to one of `targets` (absolute
 * POSIX paths of the linted files named `name`).
 */
export function mayNameFile(text: string, name: string, targets: readonly string[], scriptDir?: string): boolean {
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
export function mayNameNeoxConfig(text: string, name: string): boolean {
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

/**
 * The last path segment of each word built from shell variables that ends with `ext`: `${TASK}_${MODEL}.yaml`,
 * `$NAME.yaml` for `.yaml`. Found from the places `ext` ends a word (a script has fewer of them than `$`s).
 */
function variableSegments(text: string, ext: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(ext); at !== -1; at = text.indexOf(ext, at + 1)) {
    const end = at + ext.length;
    if (end < text.length && !WORD_BREAK.test(text[end])) continue;
    let start = at;
    while (start > 0 && !WORD_BREAK.test(text[start - 1])) start--;
    const word = text.slice(start, end);
    const seg = word.slice(word.lastIndexOf('/') + 1);
    if (isVariableSegment(seg)) out.push(seg);
  }
  return out;
}

/**
 * What a script's text holds that may name a file indirectly, read once per text (callers ask for many
 * names of one script in a row; every name must not rescan it): the variable-built path segments (by the
 * extension they end with), the Hydra config names written, and whether it runs a Python program with
 * Hydra overrides.
 */
interface Indirect {
  segments?: Map<string, string[]>;
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
export function mayExpandToName(text: string, name: string): boolean {
  const ext = /\.[A-Za-z]+$/.exec(name)?.[0];
  if (!ext || !text.includes('$')) return false;
  const segments = (indirectOf(text).segments ??= new Map());
  let ending = segments.get(ext);
  if (ending === undefined) segments.set(ext, (ending = variableSegments(text, ext)));
  for (const segment of ending) {
    if (fitsLiteralParts(segment.split(/\$\{\w+\}|\$\w+/), name)) return true;
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
export function mayNameHydraConfig(text: string, name: string): boolean {
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
export function mayRunHydraApp(text: string, name: string, targets: readonly string[], scriptDir?: string): boolean {
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
export function mayNameIndirectly(text: string, name: string): boolean {
  return mayExpandToName(text, name) || mayNameHydraConfig(text, name) || (/\.ya?ml$/.test(name) && runsHydraApp(text));
}
