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
export function mayNameFile(text: string, name: string, targets: readonly string[]): boolean {
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
