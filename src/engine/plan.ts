/**
 * Building blocks for dialects: turn config nodes and launch-script flags into Settings,
 * apply `assume` values, and derive the numbers the run computes (global batch, steps).
 */
import type { YamlLoader } from '../dialects/types.js';
import type { ShellArg } from './launch.js';
import type { SourceFile } from './source.js';
import { overrideSetting } from './launch-overrides.js';
import { augmentedFrom } from './load/python-config.js';
import { literalRange, sharedScalar, startsAfter } from './fix.js';
import { getIn, type ScalarNode } from './tree.js';
import { formatCount, formatValue } from './format-number.js';
import { STRING_PLAN_FIELDS, type KeyPath, type Range, type Origin, type PlanField, type Setting, type TrainingPlan } from './types.js';

const NUMERIC_TEXT = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;

/** The number a scalar's author meant, with a note when the loader sees something else. */
export function scalarNumber(node: ScalarNode, loader: YamlLoader): { value: number; note?: string } | undefined {
  if (typeof node.value === 'number') return Number.isFinite(node.value) ? { value: node.value } : undefined;
  if (typeof node.value === 'string' && NUMERIC_TEXT.test(node.value.trim())) {
    const value = Number(node.value.trim().replace(/_/g, ''));
    if (!Number.isFinite(value)) return undefined;
    if (!node.plain || loader === 'pyyaml') {
      const why = node.plain
        ? `PyYAML (YAML 1.1) loads \`${node.source}\` as the string "${node.value}", not a number`
        : node.tag
          ? `its \`${node.tag}\` tag makes it the string "${node.value}"`
          : `the value is a quoted string "${node.value}"`;
      return { value, note: `${why}; trainlint reads it as ${formatValue(value)}` };
    }
    return { value };
  }
  return undefined;
}

/** A Setting for a numeric key in a structured config; undefined when absent or not a number. */
export function numberAt(file: SourceFile, path: KeyPath, loader: YamlLoader, origin: Origin = 'explicit'): Setting<number> | undefined {
  const hit = getIn(file.tree, path);
  if (!hit || hit.node.kind !== 'scalar') return undefined;
  const node = hit.node;
  let value: number;
  let note: string | undefined;
  if (typeof node.value === 'number') {
    // scalarNumber's first case, without its result object: most values are numbers as loaded.
    if (!Number.isFinite(node.value)) return undefined;
    value = node.value;
  } else {
    const num = scalarNumber(node, loader);
    if (!num) return undefined;
    value = num.value;
    note = num.note;
  }
  // A value the launch command writes over the config (engine/launch-overrides.ts).
  const launched = overrideSetting(node, value);
  if (launched) return launched;
  const valueRange = editableRange(file, node, hit.keyRange);
  // Built field by field (the order a spread of the optional parts gives): one shape per
  // combination instead of an object copied through each spread.
  const setting: Setting<number> = { value, origin, file: file.path, key: keyText(path), range: hit.keyRange };
  if (valueRange) setting.valueRange = valueRange;
  if (note) setting.note = note;
  return setting;
}

/**
 * `path.join('.')`: a path of one key (most are) is that key, the dialect's own string, not a copy
 * of it made by `join` for each Setting.
 */
function keyText(path: KeyPath): string {
  return path.length === 1 ? String(path[0]) : path.join('.');
}

/**
 * Where `--fix` may write a key's number: literal text only, read by no other key. Not a number an
 * augmented assignment computed (`x.k *= 2`) or an expression (`base_lr * 2`), not a value written
 * before its key (another name's: `lr = base_lr`), not an anchored YAML scalar its aliases read too
 * (`&w 400` with `eval_steps: *w`). A quoted number is edited inside its quotes (it stays a string).
 */
function editableRange(file: SourceFile, node: ScalarNode, keyRange: Range): Range | undefined {
  if (augmentedFrom(node) || !startsAfter(node.range, keyRange) || sharedScalar(file.tree, node)) return undefined;
  return literalRange(file, node.range);
}

/** A Setting for a string (or boolean-as-string) key. */
export function stringAt(file: SourceFile, path: KeyPath): Setting<string> | undefined {
  const hit = getIn(file.tree, path);
  if (!hit || hit.node.kind !== 'scalar' || hit.node.value === null) return undefined;
  const launched = overrideSetting(hit.node, String(hit.node.value));
  if (launched) return launched;
  return { value: String(hit.node.value), origin: 'explicit', file: file.path, key: keyText(path), range: hit.keyRange };
}

/** A Setting for a boolean key (true only for real booleans, as the loader sees them). */
export function boolAt(file: SourceFile, path: KeyPath): Setting<boolean> | undefined {
  const hit = getIn(file.tree, path);
  if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'boolean') return undefined;
  const launched = overrideSetting(hit.node, hit.node.value);
  if (launched) return launched;
  return { value: hit.node.value, origin: 'explicit', file: file.path, key: keyText(path), range: hit.keyRange };
}

/** A numeric Setting from a launch-script argument; the note says when it came from a variable. */
export function numberFromArg(file: SourceFile, arg: ShellArg | undefined, integer = false): Setting<number> | undefined {
  if (!arg || arg.value === undefined) return undefined;
  const text = arg.value.trim();
  if (!NUMERIC_TEXT.test(text)) return undefined;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value)) return undefined;
  const notes: string[] = [];
  if (arg.viaVariable) notes.push(`from $${arg.viaVariable}`);
  if (integer && !/^[-+]?\d+$/.test(text)) notes.push(`argparse type=int rejects "${text}" at launch`);
  return {
    value,
    origin: 'explicit',
    file: file.path,
    key: arg.flag,
    range: argRange(arg),
    // Only a literal value can be rewritten (not one that came from a variable or `$((5000*2))`).
    ...(arg.valueRange && !arg.viaVariable && literalRange(file, arg.valueRange) ? { valueRange: literalRange(file, arg.valueRange) } : {}),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/** From the flag to the end of its value when both sit on one line; else the flag. */
export function argRange(arg: ShellArg): Range {
  const v = arg.valueRange;
  if (v && v.line === arg.flagRange.line && v.endLine === v.line && v.column > arg.flagRange.column) {
    return { ...arg.flagRange, endColumn: v.endColumn };
  }
  return arg.flagRange;
}

export function stringFromArg(file: SourceFile, arg: ShellArg | undefined): Setting<string> | undefined {
  if (!arg || arg.value === undefined) return undefined;
  return { value: arg.value, origin: 'explicit', file: file.path, key: arg.flag, range: argRange(arg) };
}

/**
 * `{ ...setting, unit }` (and `note`, when given, after it): the same keys in the same order, a key
 * the setting already has keeping its place. Copied by `Object.assign`, whose copy into an empty
 * object is one builtin step for any shape: a spread site that sees the many shapes of Settings
 * (origin, range, note, valueRange… present or not) goes megamorphic and copies key by key in the
 * runtime, ≈ 1.6× the instructions per copy.
 */
export function withUnit<S extends { value: unknown }>(setting: S, unit: string, note?: string): S & { unit: string } {
  const copy: S & { unit?: string; note?: string } = Object.assign({}, setting);
  copy.unit = unit;
  if (note !== undefined) copy.note = note;
  return copy as S & { unit: string };
}

export function defaultSetting<T extends number | string>(value: T, key: string, note?: string): Setting<T> {
  const setting: Setting<T> = { value, origin: 'default', key };
  if (note) setting.note = note;
  return setting;
}

export function derived(value: number, how: string, unit?: string): Setting<number> {
  const setting: Setting<number> = { value, origin: 'derived', how };
  if (unit) setting.unit = unit;
  return setting;
}

/**
 * A value computed from one written setting (a ratio × the LR): it points at that setting's
 * key, so findings about it land where the user changes it. No valueRange: the text there is
 * the input, not this value, so `--fix` must not rewrite it.
 */
export function derivedFrom(source: Setting, value: number, how: string, unit?: string): Setting<number> {
  // derived()'s fields, then the source's place, in the order the object spreads gave them.
  const setting = derived(value, how, unit);
  if (source.file) setting.file = source.file;
  if (source.key) setting.key = source.key;
  if (source.range) setting.range = source.range;
  return setting;
}

/**
 * Fill fields the configs lack from `assume` (`.trainlint.yml`) or from the launch command
 * (Settings with origin 'launcher'). Values already in the plan win.
 */
export function applyAssumptions(plan: TrainingPlan, assume: Partial<Record<PlanField, number | string | Setting>>): void {
  // `for…in` over a plain object visits what `Object.entries` lists, in its order, without
  // building an array of pairs for each extraction (most `assume` objects are empty).
  for (const key in assume) {
    const field = key as PlanField;
    const value = assume[field];
    if (plan[field] !== undefined || value === undefined) continue;
    const target = plan as Record<string, Setting>;
    if (typeof value === 'object') target[field] = value;
    else if (STRING_PLAN_FIELDS.has(field)) target[field] = { value: String(value), origin: 'assumed', key: `assume.${field}` };
    else if (typeof value === 'number') target[field] = { value, origin: 'assumed', key: `assume.${field}` };
  }
}

/** The data-parallel size: explicit `dataParallelSize`, else the world size (no model parallelism). */
export function dataParallel(plan: TrainingPlan): Setting<number> | undefined {
  return plan.dataParallelSize ?? plan.worldSize;
}

/**
 * Micro batch, accumulation and the data-parallel size (or world size) are all known: what a
 * per-epoch step count from dataset rows needs besides the rows (`Dialect.usesDatasetRows`).
 */
export function perRankBatchKnown(plan: TrainingPlan): boolean {
  return plan.microBatchSize !== undefined && plan.gradAccumSteps !== undefined && dataParallel(plan) !== undefined;
}

/** global batch = micro × accumulation × data-parallel size, when all three are known. */
export function deriveGlobalBatch(plan: TrainingPlan): void {
  if (plan.globalBatchSize) return;
  const { microBatchSize: micro, gradAccumSteps: accum } = plan;
  const dp = dataParallel(plan);
  if (!micro || !accum || !dp) return;
  const dpName = plan.dataParallelSize ? 'data-parallel size' : 'world size';
  plan.globalBatchSize = derived(
    micro.value * accum.value * dp.value,
    `${formatCount(micro.value)} × ${formatCount(accum.value)} × ${formatCount(dp.value)} (micro × accumulation × ${dpName})`,
    'samples',
  );
}

/** Resolved warmup steps from a ratio of total steps (HF: ceil(total × ratio)). */
export function deriveWarmupFromRatio(plan: TrainingPlan): void {
  if (plan.warmupSteps || !plan.warmupRatio || !plan.totalSteps) return;
  const ratio = plan.warmupRatio.value;
  const total = plan.totalSteps.value;
  plan.warmupSteps = derived(Math.ceil(total * ratio), `ceil(${formatCount(total)} × ${ratio})`, 'steps');
}
