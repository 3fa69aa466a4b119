/**
 * One flat namespace of training arguments, whatever the file writes them as: top-level keys of a
 * YAML/TOML/JSON config (Ultralytics `args.yaml`, timm `--config`, sd-scripts TOML with its tables
 * flattened), command-line flags (`--lr_warmup_steps=500`), Ultralytics `k=v` words, or keyword
 * arguments of a Python call (`model.train(epochs=3)`). Each value keeps where it is written, so a
 * dialect reads every source the same way and findings point at the key. Pure.
 */
import type { ShellArg } from '../engine/launch.js';
import type { CallKeyword, PyValue } from '../engine/load/python-calls.js';
import { argRange, defaultSetting, scalarNumber } from '../engine/plan.js';
import { overrideSetting } from '../engine/launch-overrides.js';
import type { SourceFile } from '../engine/source.js';
import type { ConfigNode, MapNode } from '../engine/tree.js';
import type { Range, Setting } from '../engine/types.js';
import type { YamlLoader } from './types.js';

export interface FlatArg {
  /** The argument's name (argparse dest: `lr_warmup_steps`). */
  key: string;
  /** The key or flag as written (`--lr-warmup-steps`, `lr0`, `training.lr_warmup_steps`). */
  written: string;
  /** The value as the framework receives it; undefined when it is not known statically. */
  value?: PyValue;
  /** The value as written. */
  text: string;
  range: Range;
  /** Where the value is written, when it is literal text `--fix` may replace. */
  valueRange?: Range;
  /** Why the value is unknown (a call, a variable trainlint cannot see). */
  opaque?: string;
  /** Loader quirks, the variable it came from. */
  note?: string;
  /** A number the author meant that the loader keeps as a string (PyYAML `1e-4`). */
  meant?: number;
  /** The scalar it was read from, in a config tree (a launch command's value over the file: engine/launch-overrides.ts). */
  node?: ConfigNode;
}

const NUMERIC = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;

export class FlatArgs {
  /** Last occurrence wins, as argparse and dict updates do. */
  readonly map = new Map<string, FlatArg>();
  /** Every occurrence in order (earlier duplicates included). */
  readonly all: FlatArg[] = [];
  /**
   * Opaque words among a command's arguments (`$EXTRA_ARGS`, the unknown end of `"${ARGS[@]}"`), as written, with
   * the keys each may set (undefined: any key). See `setBy`.
   */
  readonly opaque: { text: string; keys?: string[] }[] = [];

  constructor(
    readonly file: SourceFile,
    args: FlatArg[] = [],
  ) {
    for (const a of args) this.add(a);
  }

  add(arg: FlatArg): void {
    this.all.push(arg);
    this.map.set(arg.key, arg);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /**
   * The opaque word that may set `key` when the command does not write it (`$EXTRA_ARGS`): its value is then
   * unknown, not the framework's default. Undefined when `key` is written or no such word may hold it.
   */
  setBy(key: string): string | undefined {
    if (this.map.has(key)) return undefined;
    for (let i = this.opaque.length - 1; i >= 0; i--) {
      const o = this.opaque[i];
      if (!o.keys || o.keys.includes(key)) return o.text;
    }
    return undefined;
  }

  get(key: string): FlatArg | undefined {
    return this.map.get(key);
  }

  /** The number at `key` (numbers written as strings included), with its Setting. */
  num(key: string): Setting<number> | undefined {
    const a = this.map.get(key);
    if (!a) return undefined;
    let value: number | undefined;
    let note = a.note;
    if (typeof a.value === 'number' && Number.isFinite(a.value)) value = a.value;
    else if (a.meant !== undefined) value = a.meant;
    else if (typeof a.value === 'string' && NUMERIC.test(a.value.trim())) {
      value = Number(a.value.trim().replace(/_/g, ''));
      note = [note, `the value is the string "${a.value}"; trainlint reads it as ${value}`].filter(Boolean).join('; ');
    }
    if (value === undefined || !Number.isFinite(value)) return undefined;
    return this.setting(a, value, note);
  }

  /** The string at `key` (numbers and booleans as their text). */
  str(key: string): Setting<string> | undefined {
    const a = this.map.get(key);
    if (!a || a.value === undefined || a.value === null || Array.isArray(a.value)) return undefined;
    return this.setting(a, String(a.value), a.note);
  }

  /** The boolean at `key`, as Python truthiness would not: only real booleans. */
  bool(key: string): boolean | undefined {
    const v = this.map.get(key)?.value;
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Whether `key` is written with a value other than None/null/empty. */
  isSet(key: string): boolean {
    const a = this.map.get(key);
    return !!a && a.value !== null && a.value !== '' && a.value !== undefined;
  }

  setting<T extends number | string>(a: FlatArg, value: T, note?: string): Setting<T> {
    // A value the launch command writes over the file is the launcher's, at its flag.
    const launched = overrideSetting(a.node, value, note);
    if (launched) return launched;
    return {
      value,
      origin: 'explicit',
      file: this.file.path,
      key: a.written,
      range: a.range,
      ...(a.valueRange ? { valueRange: a.valueRange } : {}),
      ...(note ? { note } : {}),
    };
  }
}

/** A scalar node as the loader sees it, with the number the author meant. */
function fromNode(key: string, written: string, keyRange: Range, node: ConfigNode, loader: YamlLoader): FlatArg {
  if (node.kind === 'scalar') {
    const meant = scalarNumber(node, loader);
    return {
      key,
      written,
      value: node.value,
      text: node.source,
      range: keyRange,
      valueRange: node.range,
      ...(meant && typeof node.value !== 'number' ? { meant: meant.value, note: meant.note } : {}),
      node,
    };
  }
  if (node.kind === 'seq' && node.items.every((i) => i.kind === 'scalar')) {
    return { key, written, value: node.items.map((i) => (i.kind === 'scalar' ? i.value : null)), text: '[…]', range: keyRange, valueRange: node.range };
  }
  return { key, written, text: '{…}', range: keyRange, opaque: 'a mapping' };
}

/**
 * The top-level keys of a structured config; with `flattenTables`, the keys of every top-level
 * table too (sd-scripts flattens its TOML sections into one namespace; the last one wins).
 */
export function argsFromTree(file: SourceFile, loader: YamlLoader, flattenTables = false): FlatArgs {
  const out = new FlatArgs(file);
  const root = file.tree;
  if (!root || root.kind !== 'map') return out;
  for (const e of root.entries) {
    if (flattenTables && e.value.kind === 'map') {
      for (const inner of (e.value as MapNode).entries) out.add(fromNode(inner.key, `${e.key}.${inner.key}`, inner.keyRange, inner.value, loader));
    } else {
      out.add(fromNode(e.key, e.key, e.keyRange, e.value, loader));
    }
  }
  return out;
}

/**
 * argparse flags of a command: `--flag value`, `--flag=value`, `--switch`. `dest` maps a flag to
 * its argument name (default: strip the dashes, `-` → `_`); undefined skips the flag. Values stay
 * strings (argparse's `type=` converts them); a switch is `true`. An opaque word among them (`$EXTRA_ARGS`)
 * is kept in `opaque`: a flag it may hold again is unknown here, and `setBy` names it for unwritten ones.
 */
export function argsFromFlags(file: SourceFile, args: readonly ShellArg[], dest: (flag: string) => string | undefined = defaultDest): FlatArgs {
  const out = new FlatArgs(file);
  for (const [i, a] of args.entries()) {
    if (a.opaque) {
      const keys = a.opaque.flags?.map(dest).filter((k): k is string => k !== undefined);
      out.opaque.push({ text: a.value ?? '', ...(keys ? { keys } : {}) });
      continue;
    }
    if (!a.flag.startsWith('-')) continue;
    const key = dest(a.flag);
    if (!key) continue;
    // `--flag $EXTRA_ARGS` (unknown, unquoted): the words are the option's value, or more flags after a switch.
    if (a.valueOpaque !== undefined) {
      out.add({ key, written: a.flag, text: a.value ?? '', range: argRange(a), opaque: `${a.value} follows ${a.flag}: its value, or more flags if ${a.flag} is a switch` });
      continue;
    }
    // A later opaque word that may hold this flag again (a branch appended it): argparse takes the last, unknown.
    const again = a.value !== undefined ? args.slice(i + 1).find((b) => b.opaque?.flags?.includes(a.flag)) : undefined;
    if (again) {
      out.add({ key, written: a.flag, text: a.value ?? '', range: argRange(a), opaque: `${again.value} may set ${a.flag} again (argparse takes the last)` });
      continue;
    }
    out.add({
      key,
      written: a.flag,
      value: a.value === undefined ? true : a.value,
      text: a.value ?? '',
      range: argRange(a),
      ...(a.valueRange && !a.viaVariable ? { valueRange: a.valueRange } : {}),
      ...(a.viaVariable ? { note: `from $${a.viaVariable}` } : {}),
    });
  }
  return out;
}

export function defaultDest(flag: string): string {
  return flag.replace(/^-+/, '').replace(/-/g, '_');
}

/** Keyword arguments of a Python call. */
export function argsFromCall(file: SourceFile, keywords: readonly CallKeyword[]): FlatArgs {
  const out = new FlatArgs(file);
  for (const k of keywords) {
    out.add({
      key: k.name,
      written: k.via ? `${k.via}["${k.name}"]` : k.name,
      ...(k.opaque ? { opaque: k.opaque } : { value: k.value }),
      text: k.text,
      range: k.range,
      ...(k.opaque ? {} : { valueRange: k.valueRange }),
    });
  }
  return out;
}

/** A value as the framework's argparse `type=int`/`type=float` would convert the text: undefined when it would reject it. */
export function argparseNumber(text: string, integer: boolean): number | undefined {
  const t = text.trim();
  if (integer ? !/^[-+]?\d+$/.test(t) : !NUMERIC.test(t) && !/^[-+]?(?:inf|nan)$/i.test(t)) return undefined;
  const v = Number(t.replace(/_/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

/**
 * The keys a command leaves unwritten: the framework's default, except where the command also
 * names a config file (`--config_file x.toml`, `--config args.yaml`) that may set them: those are
 * unknown here (the file is linted on its own), and `note` says which were asked for.
 */
export class Unwritten {
  private readonly fromFile: string[] = [];

  constructor(
    /** The flag and the file it names, when the command names one. */
    private readonly configFile: { flag: string; path: string } | undefined,
    /** Where the defaults come from, for their notes ("timm train.py default"). */
    private readonly defaultsFrom: string,
  ) {}

  /** The default of `key` (unknown when the config file may set it). */
  value<T extends number | string>(key: string, fallback: T | undefined): Setting<T> | undefined {
    if (this.configFile) {
      if (!this.fromFile.includes(key)) this.fromFile.push(key);
      return undefined;
    }
    return fallback === undefined ? undefined : defaultSetting(fallback, key, this.defaultsFrom);
  }

  /** "--config args.yaml: lr, epochs come from that file (linted on its own) or the defaults, …", once keys were asked for. */
  note(): string | undefined {
    if (!this.configFile || this.fromFile.length === 0) return undefined;
    return `${this.configFile.flag} ${this.configFile.path}: ${this.fromFile.join(', ')} come from that file (linted on its own) or the defaults, so they are left unknown here`;
  }
}
