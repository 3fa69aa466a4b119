/**
 * What a duplicate key really does, once the dialect (and so the framework's loader) is known.
 * The loaders report every repeated key (`duplicate-key`); this module says whether the values
 * differ and what the framework makes of it:
 *  - loaders that keep the last value (PyYAML, Python's json, argparse after yq): equal values
 *    are redundant (a warning); different values say which one wins and where the other is;
 *  - loaders that reject duplicates (OmegaConf.load, TOML's tomllib): the file does not load,
 *    an error whatever the values.
 */
import type { Dialect } from '../dialects/types.js';
import { formatValue } from './format-number.js';
import type { LoadProblem } from './load/result.js';
import type { SourceFile } from './source.js';
import { toPlain, walkEntries, type ConfigNode, type MapEntry } from './tree.js';
import type { Finding, Severity } from './types.js';

/** The repeated entry at `problem`, and the earlier and later entries of the same key in its mapping. */
function occurrences(tree: ConfigNode, problem: LoadProblem): { entry: MapEntry; all: MapEntry[] } | undefined {
  let found: { entry: MapEntry; all: MapEntry[] } | undefined;
  walkEntries(tree, (_path, entry, parent) => {
    if (found || entry.keyRange.line !== problem.range.line || entry.keyRange.column !== problem.range.column) return;
    found = { entry, all: parent.entries.filter((e) => e.key === entry.key) };
  });
  return found;
}

function shown(node: ConfigNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'null (empty)';
  const text = typeof node.value === 'number' ? node.source || formatValue(node.value) : String(node.value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

const same = (a: ConfigNode, b: ConfigNode): boolean => JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b));

/**
 * The `duplicate-key` finding for a loader problem: its message, and a lower severity for a
 * redundant repeat. TOML and unlocatable entries keep the loader's message.
 */
export function duplicateKeyFinding(problem: LoadProblem, file: SourceFile, dialect: Dialect | undefined, severity: Severity): Finding {
  const base: Finding = { ruleId: 'duplicate-key', severity, message: problem.message, path: file.path, range: problem.range };
  if (file.format === 'toml' || !file.tree) return base;
  const hit = occurrences(file.tree, problem);
  if (!hit) return base;
  const { entry, all } = hit;
  const first = all[0];
  const last = all[all.length - 1];
  const key = JSON.stringify(entry.key);
  const equal = same(first.value, entry.value);
  const data = { key: entry.key, firstLine: first.keyRange.line, valuesDiffer: !equal };
  const rejects = dialect?.meta.rejectsDuplicateKeys;
  if (rejects) {
    return {
      ...base,
      message: `duplicate key ${key} (first at line ${first.keyRange.line}): ${rejects}, so the file does not load; keep one`,
      data: { ...data, loader: 'rejects' },
    };
  }
  if (equal) {
    return {
      ...base,
      severity: 'warning',
      message: `duplicate key ${key} repeats line ${first.keyRange.line} with the same value ${shown(entry.value)}: redundant; remove one`,
      data: { ...data, loader: 'last-wins' },
    };
  }
  const winner =
    entry === last
      ? `this value ${shown(entry.value)} wins over ${shown(first.value)} at line ${first.keyRange.line}`
      : `both this ${shown(entry.value)} and ${shown(first.value)} at line ${first.keyRange.line} lose to ${shown(last.value)} at line ${last.keyRange.line}`;
  return {
    ...base,
    message: `duplicate key ${key} (first at line ${first.keyRange.line}) with a different value: the loader keeps the last, so ${winner}; keep one`,
    data: { ...data, loader: 'last-wins', winsLine: last.keyRange.line },
  };
}
