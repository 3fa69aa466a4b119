/**
 * A command line of `--key value` flags read as a config tree, so a dialect whose framework takes
 * the same keys from a YAML file and from argv (ms-swift's HfArgumentParser: `swift sft config.yaml`
 * or `swift sft --learning_rate 1e-4`) reads both the same way, each value at its place in the script.
 *
 * Values are typed as the argument parser converts them: a number is a number, `true`/`false` a
 * boolean (HfArgumentParser's string_to_bool), anything else a string; a bare switch is `true`; the
 * words that follow a flag's value (`--dataset a b c`, nargs='+') make a list. The last occurrence
 * of a flag wins, as argparse keeps it. Pure.
 */
import type { ShellArg } from '../engine/launch.js';
import { argRange } from '../engine/plan.js';
import type { ConfigNode, MapEntry, MapNode, ScalarNode, ScalarValue } from '../engine/tree.js';
import type { Range, Setting } from '../engine/types.js';
import type { SourceFile } from '../engine/source.js';
import { computeLineStarts } from '../engine/load/positions.js';

const NUMERIC = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;
const FORWARDED = /^\$(?:[@*]|\{[@*](?::[^}]*)?\})$/;

function typed(text: string): ScalarValue {
  const t = text.trim();
  if (NUMERIC.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    if (Number.isFinite(n)) return n;
  }
  if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^(?:none|null)$/i.test(t)) return null;
  return t;
}

function scalar(text: string, range: Range): ScalarNode {
  return { kind: 'scalar', value: typed(text), source: text, plain: true, range };
}

export interface FlagTreeOptions {
  /** The flag's key in the tree (default: the flag without its dashes); undefined skips the flag. */
  key?: (flag: string) => string | undefined;
}

/**
 * The tree of a command's flags. Positional words before the first flag (a config file, a data
 * folder) are not part of it; `"$@"` is skipped.
 */
export function treeFromFlags(args: readonly ShellArg[], range: Range, options: FlagTreeOptions = {}): MapNode {
  const root: MapNode = { kind: 'map', entries: [], range };
  let last: MapEntry | undefined;
  for (const a of args) {
    if (a.flag === '') {
      // Extra values of the previous flag (nargs='+'): `--dataset a b c`.
      if (!last || a.value === undefined || FORWARDED.test(a.value)) continue;
      const v = last.value;
      const item = scalar(a.value, a.valueRange ?? a.flagRange);
      last.value = v.kind === 'seq' ? { ...v, items: [...v.items, item] } : { kind: 'seq', items: [v, item], range: v.range };
      continue;
    }
    if (!a.flag.startsWith('--')) {
      last = undefined;
      continue;
    }
    const key = options.key ? options.key(a.flag) : a.flag.replace(/^-+/, '');
    if (!key) {
      last = undefined;
      continue;
    }
    const value: ConfigNode = a.value === undefined ? { kind: 'scalar', value: true, source: 'true', plain: true, range: a.flagRange } : scalar(a.value, a.valueRange ?? a.flagRange);
    last = { key, keyRange: argRange(a), value };
    root.entries = root.entries.filter((e) => e.key !== key);
    root.entries.push(last);
  }
  return root;
}

/**
 * A value that came from a shell variable (`--learning_rate $LR`) is not literal text `--fix` may
 * rewrite: drop `valueRange` from every plan value whose written text is not the number itself.
 */
export function keepLiteralValueRanges(plan: Record<string, Setting | undefined>, file: SourceFile): void {
  const starts = computeLineStarts(file.text);
  for (const [field, s] of Object.entries(plan)) {
    if (!s?.valueRange || s.file !== file.path) continue;
    const r = s.valueRange;
    const text = file.text.slice((starts[r.line - 1] ?? 0) + r.column - 1, (starts[r.endLine - 1] ?? 0) + r.endColumn - 1);
    if (typeof s.value === 'number' && NUMERIC.test(text.trim()) && Number(text.trim().replace(/_/g, '')) === s.value) continue;
    const { valueRange: _drop, ...rest } = s;
    void _drop;
    plan[field] = rest as Setting;
  }
}
