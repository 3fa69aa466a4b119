/**
 * `trainlint rescale`: port a config to another global batch. Pure: a file, its plan and the
 * target in; text edits (as `--fix` makes them: only the values' characters change) and an
 * explanation of every change out.
 *
 * - The batch: the micro batch, the world size (a literal launcher count) or an explicit global
 *   batch, as asked; the global batch follows micro × accumulation × data-parallel size.
 * - The LR by the linear or sqrt rule (default: `lr-not-rescaled`'s choice, sqrt for Adam-family
 *   and linear for SGD-family optimizers); an explicit minimum LR keeps its ratio to the peak.
 * - Warmup, an explicit run length, the decay horizon and the save/eval intervals keep their
 *   meaning in samples: steps ÷ k. Values written in samples, tokens, epochs or as a fraction of
 *   training keep their meaning unchanged.
 * - A value that is not literal text in this file (interpolated, through a variable, computed by
 *   the launcher, a framework default, or in another file) is listed with the value it should get,
 *   never guessed into the text.
 */
import { fixRule } from '../rules/lr-not-rescaled.js';
import { formatCount, formatRatio, formatSci } from './format-number.js';
import { afterKey, NUMBER, sameFileLrTwin, type TextEdit, writtenValueRange } from './fix.js';
import type { SourceFile } from './source.js';
import type { PlanField, Range, Setting, TrainingPlan } from './types.js';

export type RescaleTarget = { kind: 'global-batch' | 'micro-batch' | 'world-size'; value: number };

export interface RescaleInput {
  file: SourceFile;
  /** The run's plan (the file's own values, launcher values and linked files). */
  plan: TrainingPlan;
  target: RescaleTarget;
  /** `--rule`; else `lr-not-rescaled`'s `scaling` option decides. */
  rule?: 'linear' | 'sqrt';
  scaling?: 'linear' | 'sqrt' | 'either';
  /** The framework as messages name it ("nanoGPT"). */
  framework?: string;
  /** How the file's loader reads YAML ('pyyaml' needs `1.0e-4`, not `1e-4`). */
  yamlLoader?: string;
  /**
   * The file's own plan, before linked files replaced its values (`plan` is the run's): an LR the run takes
   * from a linked DeepSpeed file that this file also writes, equal, is edited here too (the Trainer's
   * fill_match refuses to start when they differ).
   */
  ownPlan?: TrainingPlan;
  /**
   * The peak LRs of the DeepSpeed files linked to this one (as written there): one written equal to the run's
   * LR is listed to set by hand with it (the Trainer's fill_match compares a hard-coded `"lr"` with `learning_rate`).
   */
  linkedLrs?: Setting<number>[];
}

export interface RescaleChange {
  field: PlanField;
  key: string;
  /** Where the key is written. */
  range: Range;
  from: string;
  to: string;
  /** The arithmetic. */
  why: string;
}

export interface RescaleResult {
  oldGlobal: number;
  newGlobal: number;
  k: number;
  changes: RescaleChange[];
  /** Values that keep their meaning without an edit, with the reason. */
  kept: string[];
  /** Values that should change but are not literal text here: what to set by hand. */
  manual: string[];
  /**
   * Values set by hand in a linked file that this file's edit must equal (a DeepSpeed `"lr"` beside HF
   * `learning_rate`): until they are changed, the linked file disagrees with the rescaled one.
   */
  linkedByHand: { field: PlanField; file: string }[];
  edits: TextEdit[];
}

export class RescaleError extends Error {}

/**
 * A derived accumulation the framework computes as a written per-device batch // the micro batch
 * (axolotl's `batch_size`, normalize_config: `gradient_accumulation_steps = batch_size // micro_batch_size`):
 * the global batch follows that batch, so rescale edits it, not the micro batch or the accumulation.
 */
export type PerDeviceAnchored = Setting<number> & { perDeviceBatch?: Setting<number> };

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The text a range covers. */
export function textAt(text: string, r: Range): string {
  const starts = lineStarts(text);
  return text.slice((starts[r.line - 1] ?? 0) + r.column - 1, (starts[r.endLine - 1] ?? 0) + r.endColumn - 1);
}

const where = (s: Setting) => (s.file && s.range ? `${s.file}:${s.range.line}:${s.range.column}` : s.file ?? '');
const keyOf = (s: Setting, fallback: string) => s.key ?? fallback;

/** The setting with the range its literal value is written at, when there is one (fix.ts writtenValueRange). */
function literal<T extends Setting>(s: T, file: SourceFile): T {
  const r = s.valueRange ? undefined : writtenValueRange(s, file);
  return r ? { ...s, valueRange: r } : s;
}

/** Why a setting cannot be edited in this file, or undefined when its value is literal text here. */
function notEditable(s: Setting, file: SourceFile): string | undefined {
  if (s.origin === 'default') return `${keyOf(s, 'it')} is not written (framework default)`;
  if (s.origin === 'assumed') return `it is assumed in .trainlint.yml (assume)`;
  if (s.origin === 'derived') return `it is computed (${s.how ?? 'derived'})`;
  if (s.origin === 'dataset') return 'it is counted from the dataset';
  if (s.file !== file.path) return `it is written in ${where(s) || 'another file'}`;
  if (!s.valueRange) return `${keyOf(s, 'it')} at ${where(s)} is not a literal value (interpolated, or set through a variable)`;
  return undefined;
}

/** A number written back in the style of the original text, parseable by the file's loader. */
export function spellLike(original: string, value: number, significant: number, format: string, yamlLoader?: string): string {
  const quote = /^(["'])(.*)\1$/.exec(original.trim());
  const bare = quote ? quote[2] : original.trim();
  let text: string;
  if (Number.isInteger(value) && !/[.eE]/.test(bare)) text = String(value);
  else if (/e/i.test(bare) || Math.abs(value) < 1e-3) text = formatSci(value, significant);
  else text = String(Number(value.toPrecision(significant)));
  // A float stays a float (yacs refuses an int where its default is a float: BASE_LR 0.02 → 1.0, not 1).
  if (/\./.test(bare) && /^[-+]?\d+$/.test(text)) text = `${text}.0`;
  // PyYAML reads a float only with a dot and a signed exponent (1.0e-4); elsewhere keep the
  // original's dot (3.0e-4 → 6.0e-4).
  const m = /^([-+]?)(\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)$/.exec(text);
  if (m && format === 'yaml' && yamlLoader === 'pyyaml' && !quote) text = `${m[1]}${m[2]}.${m[3] || '0'}e${m[4] || '+'}${m[5]}`;
  else if (m && !m[3] && /^[-+]?\d+\.\d*[eE]/.test(bare)) text = `${m[1]}${m[2]}.0e${m[4]}${m[5]}`;
  return quote ? `${quote[1]}${text}${quote[1]}` : text;
}

/** Units a step count can be written in that do not depend on the global batch. */
const SAMPLE_UNITS = new Set(['samples', 'tokens', 'T', 'sp', 'tok', 'ep', 'epochs', 'dur']);

export function rescale(input: RescaleInput): RescaleResult {
  const { file, target } = input;
  // Launch-script flags whose dialect records only the flag get their literal value's range.
  const plan: TrainingPlan = Object.fromEntries(Object.entries(input.plan).map(([k, v]) => [k, v && typeof v === 'object' ? literal(v as Setting, input.file) : v]));
  const G = plan.globalBatchSize;
  if (!G || !(G.value > 0)) throw new RescaleError(`the global batch of ${file.path} is unknown, so there is nothing to scale from (see \`trainlint plan ${file.path}\`)`);
  if (plan.schedulerTick?.value === 'rollout-step') throw new RescaleError(`${file.path} is an RL post-training config: its steps count rollouts, which rescale does not port`);
  const result: RescaleResult = { oldGlobal: G.value, newGlobal: G.value, k: 1, changes: [], kept: [], manual: [], linkedByHand: [], edits: [] };
  const edit = (field: PlanField, s: Setting, to: string, why: string) => {
    const from = textAt(file.text, s.valueRange!);
    if (from === to) return;
    // One key can hold two plan values (DeepSpeed's total_num_steps is the run and the decay horizon).
    const r = s.valueRange!;
    if (result.edits.some((e) => e.range.line === r.line && e.range.column === r.column)) return;
    result.changes.push({ field, key: keyOf(s, field), range: s.range ?? s.valueRange!, from, to, why });
    result.edits.push({ range: s.valueRange!, text: to });
  };

  const micro = plan.microBatchSize;
  const accum = plan.gradAccumSteps;
  const world = plan.worldSize;
  const dp = plan.dataParallelSize ?? world;
  const a = accum?.value ?? 1;
  let newAccum = a;
  // A written global batch with a derived accumulation is the anchor (Megatron, DeepSpeed without
  // gradient_accumulation_steps): changing micro or world size changes the accumulation, not it.
  const explicitGlobal = G.origin !== 'derived';
  const identityWritten = explicitGlobal && micro?.origin === 'explicit' && accum?.origin === 'explicit';

  const setMicro = (value: number, why: string) => {
    if (!micro) throw new RescaleError(`the micro batch of ${file.path} is unknown`);
    const reason = notEditable(micro, file);
    if (reason) throw new RescaleError(`the micro batch cannot be set: ${reason}; set ${keyOf(micro, 'it')} to ${value} there`);
    edit('microBatchSize', micro, String(value), why);
  };
  const setAccum = (value: number, why: string) => {
    const reason = accum ? notEditable(accum, file) : 'it is not written';
    if (!accum || reason) throw new RescaleError(`the gradient accumulation cannot be set to ${value}: ${reason}`);
    edit('gradAccumSteps', accum, String(value), why);
    newAccum = value;
  };
  const setGlobal = (value: number, why: string) => {
    const reason = notEditable(G, file);
    if (reason) throw new RescaleError(`the global batch cannot be set to ${value}: ${reason}`);
    edit('globalBatchSize', G, String(value), why);
  };

  let newGlobal = G.value;
  const perDevice = accum?.origin === 'derived' ? (accum as PerDeviceAnchored).perDeviceBatch : undefined;
  if (perDevice && micro && target.kind !== 'world-size') {
    newGlobal = rescalePerDevice(perDevice, micro, target, dp, file, input.framework, result, edit);
    if (target.kind === 'micro-batch') newAccum = perDevice.value / target.value;
    else newAccum = newGlobal / (dp!.value * micro.value);
  } else if (target.kind === 'micro-batch') {
    if (!micro) throw new RescaleError(`the micro batch of ${file.path} is unknown`);
    if (explicitGlobal && !identityWritten) {
      setMicro(target.value, `the micro batch asked for; ${keyOf(G, 'the global batch')} ${G.value} is written, so the framework changes the accumulation instead`);
    } else {
      if (!dp) throw new RescaleError(`the world size of ${file.path} is unknown, so the new global batch is too (set assume.worldSize in .trainlint.yml)`);
      newGlobal = target.value * a * dp.value;
      setMicro(target.value, `the micro batch asked for: ${target.value} × ${a} accumulation × ${dp.value} data-parallel = ${newGlobal} samples per step`);
      if (identityWritten) setGlobal(newGlobal, `= ${target.value} × ${a} × ${dp.value} (micro × accumulation × data-parallel)`);
    }
  } else if (target.kind === 'world-size' && G.scaledFrom) {
    if (!world) throw new RescaleError(`the world size of ${file.path} is unknown (no launcher names it; set assume.worldSize in .trainlint.yml)`);
    retargetLauncher(file, world, target.value, result, edit);
    return worldScaledReport(plan, world.value, target.value, input.framework, result);
  } else if (target.kind === 'world-size') {
    if (!world) throw new RescaleError(`the world size of ${file.path} is unknown (no launcher names it; set assume.worldSize in .trainlint.yml)`);
    const parallel = dp ? world.value / dp.value : 1;
    const newDp = target.value / parallel;
    if (!Number.isInteger(newDp)) throw new RescaleError(`world size ${target.value} is not a multiple of the model-parallel size ${parallel}`);
    retargetLauncher(file, world, target.value, result, edit);
    const split = perRankShare(plan);
    if (explicitGlobal && !identityWritten) {
      newGlobal = G.value;
      if (accum?.origin === 'derived') {
        if (!micro) throw new RescaleError(`the micro batch of ${file.path} is unknown`);
        const perStep = micro.value * newDp;
        if (G.value % perStep !== 0) {
          throw new RescaleError(
            `${keyOf(G, 'the global batch')} ${G.value} is not divisible by micro ${micro.value} × data-parallel ${newDp} = ${perStep} at world size ${target.value}: no whole number of accumulation steps gives it, and ${input.framework ?? 'the framework'} refuses to start; pick a world size whose data-parallel size divides ${G.value / micro.value}`,
          );
        }
        result.kept.push(`${keyOf(G, 'global batch')} ${G.value} is written: the framework changes the accumulation from ${formatCount(a)} to ${formatCount(G.value / perStep)} (${G.value} / (${micro.value} × ${newDp}))`);
      } else if (micro?.origin === 'derived') {
        if (G.value % newDp !== 0) {
          throw new RescaleError(
            `${keyOf(G, 'the global batch')} ${G.value} is the total over the GPUs and is not divisible by ${newDp}: ${input.framework ?? 'the framework'} has no accumulation to make it up and asserts the total batch is divisible by the number of GPUs; pick a world size that divides ${G.value}`,
          );
        }
        result.kept.push(`${keyOf(G, 'global batch')} ${G.value} is the total over the GPUs: each of ${newDp} takes ${formatCount(G.value / newDp)} (was ${formatCount(micro.value)})`);
      } else {
        result.kept.push(`${keyOf(G, 'global batch')} ${G.value} is written: the framework keeps it`);
      }
    } else if (split) {
      // The per-rank value is a written total divided by the world size (nanoGPT's gradient_accumulation_steps,
      // Ultralytics' batch): the global batch does not depend on the world size.
      const total = split.setting.value * world.value;
      if (total % newDp !== 0) {
        throw new RescaleError(
          `${split.total} ${formatCount(total)} is divided by the world size (${split.setting.how}) and is not divisible by ${newDp}: ${split.refuses(input.framework)}; pick a world size that divides ${formatCount(total)}`,
        );
      }
      newGlobal = G.value;
      result.kept.push(`${split.total} ${formatCount(total)} counts all ranks: each of ${newDp} takes ${formatCount(total / newDp)} (was ${formatCount(split.setting.value)}), so the global batch does not change`);
    } else {
      if (!micro) throw new RescaleError(`the micro batch of ${file.path} is unknown`);
      newGlobal = micro.value * a * newDp;
      if (identityWritten) setGlobal(newGlobal, `= ${micro.value} × ${a} × ${newDp} (micro × accumulation × data-parallel)`);
    }
  } else if (G.scaledFrom) {
    newGlobal = target.value;
    setScaledGlobal(G, newGlobal, dp, micro, file, input.framework, edit);
  } else {
    newGlobal = target.value;
    if (explicitGlobal) {
      setGlobal(newGlobal, 'the global batch asked for');
      if (identityWritten && dp && micro) {
        const m = newGlobal / (a * dp.value);
        const acc = newGlobal / (micro.value * dp.value);
        if (Number.isInteger(m)) setMicro(m, `= ${newGlobal} / (${a} accumulation × ${dp.value} data-parallel)`);
        else if (Number.isInteger(acc)) setAccum(acc, `= ${newGlobal} / (${micro.value} micro × ${dp.value} data-parallel)`);
        else throw new RescaleError(`${newGlobal} is not a multiple of ${a} × ${dp.value} nor of ${micro.value} × ${dp.value}`);
      }
    } else {
      if (!dp || !micro) throw new RescaleError(`the ${dp ? 'micro batch' : 'world size'} of ${file.path} is unknown, so the global batch cannot be set`);
      const m = newGlobal / (a * dp.value);
      const acc = newGlobal / (micro.value * dp.value);
      const microEditable = !notEditable(micro, file);
      if (Number.isInteger(m) && microEditable) setMicro(m, `= ${newGlobal} / (${a} accumulation × ${dp.value} data-parallel)`);
      else if (Number.isInteger(acc) && accum && !notEditable(accum, file)) setAccum(acc, `= ${newGlobal} / (${micro.value} micro × ${dp.value} data-parallel)`);
      else if (Number.isInteger(m)) throw new RescaleError(`the micro batch cannot be set to ${m}: ${notEditable(micro, file)}`);
      else throw new RescaleError(`global batch ${newGlobal} is not a multiple of ${a} × ${dp.value} (accumulation × data-parallel) nor of ${micro.value} × ${dp.value} (micro × data-parallel)`);
    }
  }

  result.newGlobal = newGlobal;
  const byLine = () => result.changes.sort((x, y) => x.range.line - y.range.line || x.range.column - y.range.column);
  const k = newGlobal / G.value;
  result.k = k;
  if (k === 1) {
    result.kept.push(`the global batch stays ${G.value}: nothing to rescale (the LR, warmup, steps and intervals keep their meaning)`);
    byLine();
    return result;
  }
  // The factor as shown: 2.75 when that is exact, else new/old (÷ 0.416 would not give the rounded result).
  const ratio = Number(formatRatio(k)) === k ? formatRatio(k) : `(${formatCount(newGlobal)}/${formatCount(G.value)})`;

  // The LR, by the rule.
  const rule = input.rule ?? fixRule(input.scaling ?? 'either', plan.optimizer?.value);
  const planLr = plan.peakLr;
  const scaledByFramework = planLr ? frameworkScaled(planLr, target, result) : false;
  // An LR the framework multiplies by a factor the target keeps (scaledFrom): the written value follows the rule.
  const lr = planLr && !scaledByFramework ? asWritten(planLr) : planLr;
  if (lr && !rule) {
    result.manual.push(`${keyOf(lr, 'learning rate')} ${formatSci(lr.value)}: the optimizer is unknown, so neither rule is chosen; pass --rule linear (SGD-family) or --rule sqrt (Adam-family)`);
  } else if (lr && scaledByFramework) {
    const fw = input.framework ?? 'the framework';
    const written = lr.scaledFrom ? `${keyOf(lr, 'learning rate')} as written` : keyOf(lr, 'the learning rate');
    const how = lr.scaledFrom ? lr.scaledFrom.by : `computed: ${lr.how ?? 'derived'}`;
    result.kept.push(`${written}: ${fw} rescales the learning rate for the new batch itself (${how}), so the value to write is unchanged`);
  } else if (lr && rule) {
    const f = rule === 'linear' ? k : Math.sqrt(k);
    const value = lr.value * f;
    const how = `${rule} rule${input.rule ? '' : ` for ${plan.optimizer?.value}`}: ${formatSci(lr.value)} × ${rule === 'linear' ? ratio : `√${ratio}`} = ${formatSci(value, 5)}`;
    const reason = notEditable(lr, file);
    const twins = lrTwins(lr, file, input.ownPlan, input.linkedLrs ?? []);
    const ownTwin = twins.find((t) => t.setting.file === file.path && lr.file !== file.path);
    if (reason) {
      const together = ownTwin ? `; ${keyOf(ownTwin.setting, 'this file\'s LR')} here is set to the same value, and the Trainer refuses to start until the two are equal (or the linked value is "auto")` : '';
      result.manual.push(`${keyOf(lr, 'learning rate')} should be ${formatSci(value)} (${how}), but ${reason}${together}`);
      if (ownTwin && lr.file) result.linkedByHand.push({ field: 'peakLr', file: lr.file });
    } else edit('peakLr', lr, spellLike(textAt(file.text, lr.valueRange!), value, 4, file.format, input.yamlLoader), how);
    for (const twin of twins) {
      const twinReason = notEditable(twin.setting, file);
      if (twinReason) {
        result.manual.push(`${keyOf(twin.setting, 'learning rate')} should be ${formatSci(value)} (${twin.why}), but ${twinReason}`);
        if (twin.setting.file && twin.setting.file !== file.path) result.linkedByHand.push({ field: 'peakLr', file: twin.setting.file });
      } else edit('peakLr', twin.setting, spellLike(textAt(file.text, twin.setting.valueRange!), value, 4, file.format, input.yamlLoader), twin.why);
    }
    const min = plan.minLr;
    if (min && min.value > 0 && min.origin === 'explicit') {
      const minValue = min.value * f;
      const minReason = notEditable(min, file);
      const minHow = `keeps its ratio to the peak: ${formatSci(min.value)} × ${rule === 'linear' ? ratio : `√${ratio}`} = ${formatSci(minValue, 5)}`;
      if (minReason) result.manual.push(`${keyOf(min, 'minimum LR')} should be ${formatSci(minValue)} (${minHow}), but ${minReason}`);
      else edit('minLr', min, spellLike(textAt(file.text, min.valueRange!), minValue, 4, file.format, input.yamlLoader), minHow);
    }
  }

  // Step counts keep their meaning in samples.
  const steps = (field: PlanField, what: string) => {
    const planned = plan[field] as Setting<number> | undefined;
    if (!planned || !(planned.value > 0)) return;
    // A count the framework computes from the written one by a factor the target keeps: the written count moves.
    const s = asWritten(planned);
    const batch = planned.scaledFrom ? writtenOf(G) : G.value;
    const key = keyOf(s, what);
    if (field === 'warmupSteps' && (plan.warmupRatio || s.fractionOf)) {
      result.kept.push(`${plan.warmupRatio?.key ?? key}: warmup is a fraction of ${s.fractionOf?.of ?? 'training'}, so it keeps its share`);
      return;
    }
    if (s.writtenAs && SAMPLE_UNITS.has(s.writtenAs.unit)) {
      result.kept.push(`${key}: written in ${s.writtenAs.unit}, which keep their meaning`);
      return;
    }
    if (s.origin === 'derived' || s.origin === 'dataset') {
      // A run written in epochs is said once, below.
      if (field === 'totalSteps' && !plan.epochs) result.kept.push(`the run length is computed (${(s.how ?? 'derived').split(';')[0]}): it follows the new batch`);
      return;
    }
    const exact = s.value / k;
    const n = Math.max(1, Math.round(exact));
    const samples = `${formatCount(s.value)} × ${formatCount(batch)} = ${formatCount(s.value * batch)} samples`;
    const how = `keeps ${samples}: ${formatCount(s.value)} ÷ ${ratio} = ${formatCount(Number(exact.toFixed(1)))}${Number.isInteger(exact) ? '' : `, rounded to ${n}`}`;
    const reason = notEditable(s, file);
    // Lightning counts batches (micro-batches × accumulation per step): they follow a new accumulation.
    const perStep = s.writtenAs?.unit === 'batches' ? newAccum : (s.writtenAs?.perStep ?? 1);
    const written = s.writtenAs ? `${formatCount(n * perStep)}${s.writtenAs.suffix ? s.writtenAs.unit : ''}` : String(n);
    if (reason) {
      result.manual.push(`${key} should be ${written} (${what}; ${how}), but ${reason}`);
      return;
    }
    const original = textAt(file.text, s.valueRange!);
    const quote = /^(["'])(.*)\1$/.exec(original.trim());
    edit(field, s, quote ? `${quote[1]}${written}${quote[1]}` : written, `${what} ${how}`);
  };
  steps('warmupSteps', 'warmup');
  steps('totalSteps', 'run length');
  steps('decaySteps', 'decay horizon');
  steps('saveEverySteps', 'save interval');
  steps('evalEverySteps', 'eval interval');
  milestones(plan, file, k, ratio, result, edit);
  if (plan.epochs && !(plan.totalSteps && plan.totalSteps.origin !== 'derived')) result.kept.push(`${keyOf(plan.epochs, 'epochs')} ${formatCount(plan.epochs.value)}: epochs keep their samples; the steps follow`);
  byLine();
  return result;
}

/** The value as written when the framework computes the plan's from it (`scaledFrom`: value = written × factor). */
function writtenOf(s: Setting<number>): number {
  if (!s.scaledFrom) return s.value;
  return s.writtenAs?.value ?? Number((s.value / s.scaledFrom.factor).toPrecision(12));
}

/**
 * The setting of the written value behind one the framework scales at start-up (`scaledFrom`: detectron2's
 * REFERENCE_WORLD_SIZE, MMEngine's auto_scale_lr), at its literal range: rescale edits what is written.
 */
function asWritten(s: Setting<number>): Setting<number> {
  if (!s.scaledFrom) return s;
  const { scaledFrom, writtenAs: _unit, how: _how, ...rest } = s;
  const range = scaledFrom.valueRange;
  const origin = s.origin !== 'derived' ? s.origin : range || s.file ? 'explicit' : 'default';
  return { ...rest, value: writtenOf(s), origin, ...(range ? { valueRange: range } : {}) };
}

/** Python's round(): half to even (auto_scale_workers rounds with int(round(x))). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The launcher's world size set to the target when it is one literal count in this file, else listed to change by hand. */
function retargetLauncher(
  file: SourceFile,
  world: Setting<number>,
  value: number,
  result: RescaleResult,
  edit: (field: PlanField, s: Setting, to: string, why: string) => void,
): void {
  const literal = worldLiteral(file, world);
  if (literal) {
    edit('worldSize', { ...world, valueRange: literal }, String(value), `the world size asked for`);
    return;
  }
  const how =
    world.origin === 'assumed'
      ? 'assumed in .trainlint.yml (assume.worldSize): update it there and in the launcher'
      : world.file && world.file !== file.path
        ? `set by ${where(world)} (${keyOf(world, 'the launcher')}): change the launcher by hand`
        : `${world.how ?? keyOf(world, 'the launcher')} is not one literal count; change the launcher by hand`;
  result.manual.push(`world size ${world.value} → ${value}: ${how}`);
}

/**
 * A new global batch for a framework that scales the written batch with the world size (`scaledFrom` on the
 * global batch: detectron2's IMS_PER_BATCH × world / REFERENCE_WORLD_SIZE): the written batch is the target ÷
 * the factor, which must be a whole number, and a total the GPUs share without accumulation must divide by them.
 */
function setScaledGlobal(
  G: Setting<number>,
  value: number,
  dp: Setting<number> | undefined,
  micro: Setting<number> | undefined,
  file: SourceFile,
  framework: string | undefined,
  edit: (field: PlanField, s: Setting, to: string, why: string) => void,
): void {
  const fw = framework ?? 'the framework';
  const factor = G.scaledFrom!.factor;
  const key = keyOf(G, 'the global batch');
  if (!dp) throw new RescaleError(`the world size of ${file.path} is unknown, so the value of ${key} that gives a global batch of ${value} is too (set assume.worldSize in .trainlint.yml)`);
  if (micro?.origin === 'derived' && value % dp.value !== 0) {
    throw new RescaleError(`global batch ${value} is not divisible by the ${dp.value} GPUs: ${fw} splits the total batch over them without accumulation and asserts it divides (${G.scaledFrom!.by}); pick a multiple of ${dp.value}`);
  }
  const written = value / factor;
  const shown = `${value} / ${formatRatio(factor)}`;
  if (!Number.isInteger(Number(written.toPrecision(12)))) {
    throw new RescaleError(`${key} would have to be ${shown} = ${formatCount(Number(written.toFixed(2)))}, not a whole number (${G.scaledFrom!.by}); pick a global batch that is a multiple of ${dp.value}`);
  }
  const target = asWritten(G);
  const reason = notEditable(target, file);
  const n = Math.round(written);
  if (reason) throw new RescaleError(`${key} cannot be set to ${n}: ${reason}`);
  const why = factor === 1 ? 'the global batch asked for' : `= ${shown}: ${fw} multiplies it by ${formatRatio(factor)} at this world size, giving the global batch asked for`;
  edit('globalBatchSize', target, String(n), why);
}

/**
 * A new world size for a framework that rescales the written values to it at start-up (detectron2's
 * REFERENCE_WORLD_SIZE: batch and LR × world / reference, iteration counts ÷ it): no value in the file changes;
 * the result says what the framework computes at the new world size. The reference is world ÷ the batch's factor.
 */
function worldScaledReport(plan: TrainingPlan, world: number, newWorld: number, framework: string | undefined, result: RescaleResult): RescaleResult {
  const fw = framework ?? 'the framework';
  const G = plan.globalBatchSize!;
  const reference = Math.round(world / G.scaledFrom!.factor);
  const scale = newWorld / reference;
  const atRef = newWorld === reference;
  const written = writtenOf(G);
  const key = keyOf(G, 'the global batch');
  const times = `× ${formatCount(newWorld)} / ${formatCount(reference)}`;
  if (!atRef && written % reference !== 0) {
    throw new RescaleError(`${key} ${formatCount(written)} is not divisible by ${formatCount(reference)}, the world size it is written for: ${fw} refuses to rescale it to ${formatCount(newWorld)} GPUs (auto_scale_workers asserts it); write a multiple of ${formatCount(reference)}`);
  }
  const newGlobal = atRef ? written : pyRound(written * scale);
  if (newGlobal % newWorld !== 0) {
    throw new RescaleError(`${key} ${formatCount(written)} is the total over the GPUs and is not divisible by ${formatCount(newWorld)}: ${fw} asserts the total batch is divisible by the number of GPUs; pick a world size that divides ${formatCount(written)}`);
  }
  result.newGlobal = newGlobal;
  result.k = newGlobal / G.value;
  const at = `at ${formatCount(newWorld)} GPUs`;
  result.kept.push(`${fw} rescales the written values to the world size at start-up (${G.scaledFrom!.by}): nothing to edit; ${at} it computes:`);
  result.kept.push(
    atRef
      ? `${key} ${formatCount(written)} as written: the global batch is ${formatCount(newGlobal)} (the world size it is written for: nothing is scaled), ${formatCount(newGlobal / newWorld)} per GPU`
      : `${key} ${formatCount(written)} as written: the global batch is ${formatCount(newGlobal)} (${formatCount(written)} ${times}), ${formatCount(newGlobal / newWorld)} per GPU`,
  );
  const lr = plan.peakLr;
  if (lr?.scaledFrom) {
    const w = writtenOf(lr);
    result.kept.push(`${keyOf(lr, 'the learning rate')} ${formatSci(w)} as written: the LR is ${formatSci(atRef ? w : w * scale, 5)}${atRef ? '' : ` (${formatSci(w)} ${times}, the linear rule)`}`);
  }
  const counts: [PlanField, string][] = [['totalSteps', 'the run'], ['warmupSteps', 'the warmup'], ['saveEverySteps', 'the save interval'], ['evalEverySteps', 'the eval interval']];
  for (const [field, what] of counts) {
    const s = plan[field] as Setting<number> | undefined;
    if (!s?.scaledFrom || !(s.value > 0)) continue;
    const w = writtenOf(s);
    result.kept.push(`${keyOf(s, what)} ${formatCount(w)} ${asWritten(s).origin === 'default' ? 'by default' : 'as written'}: ${what} is ${formatCount(atRef ? w : pyRound(w / scale))} iterations${atRef ? '' : ` (${formatCount(w)} ÷ (${formatCount(newWorld)} / ${formatCount(reference)}))`}`);
  }
  const first = plan.firstMilestone;
  const last = plan.lastMilestone;
  if (first?.scaledFrom && first.origin !== 'default') {
    const ws = [writtenOf(first), ...(last && last !== first ? [writtenOf(last)] : [])];
    const list = (xs: number[]) => xs.map(formatCount).join(' … ');
    result.kept.push(`${keyOf(first, 'the milestones')} ${list(ws)} as written: the LR drops at ${list(ws.map((v) => (atRef ? v : pyRound(v / scale))))}`);
  }
  result.changes.sort((x, y) => x.range.line - y.range.line || x.range.column - y.range.column);
  return result;
}

/**
 * Whether the framework computes the run's LR from the batch at start-up, so that rescaling the written value
 * would scale it twice: an LR it computes (timm's lr from lr_base for the global batch, diffusers' --scale_lr;
 * origin 'derived' without `scaledFrom`), or one it multiplies by a factor (`scaledFrom`: MMEngine's
 * auto_scale_lr, world size × batch_size / base_batch_size) when the target changes what that factor counts:
 * the world size, or the per-device batch. An accumulation-only change leaves auto_scale_lr's factor as it is.
 */
function frameworkScaled(lr: Setting<number>, target: RescaleTarget, result: RescaleResult): boolean {
  if (lr.scaledFrom) return target.kind === 'world-size' || result.changes.some((c) => c.field === 'microBatchSize');
  return lr.origin === 'derived';
}


/**
 * Other places that write the peak LR and must keep its value: the optimizer's LR beside a DeepSpeed
 * schedule's `warmup_max_lr` (same file), and this file's own LR when the run takes it from a linked file
 * (HF `learning_rate` beside a DeepSpeed JSON's hard-coded `"lr"`: fill_match requires them equal). Only a
 * value written equal to the peak is followed: one that differs is another problem, reported as such.
 */
function lrTwins(lr: Setting<number>, file: SourceFile, ownPlan: TrainingPlan | undefined, linkedLrs: Setting<number>[]): { setting: Setting<number>; why: string }[] {
  const out: { setting: Setting<number>; why: string }[] = [];
  const twin = sameFileLrTwin(lr, file);
  if (twin) out.push({ setting: twin, why: `kept equal to ${lr.key}, which replaces it when the schedule starts (two different values are a conflicting setting)` });
  const own = ownPlan?.peakLr;
  if (own && own !== lr && own.file === file.path && lr.file !== file.path && own.origin === 'explicit' && own.value === lr.value) {
    out.push({ setting: literal(own, file), why: `kept equal to ${keyOf(lr, 'the LR')} in ${lr.file ?? 'the linked file'}: the Trainer refuses to start when the two differ (fill_match)` });
  }
  if (lr.file === file.path) {
    for (const linked of linkedLrs) {
      if (linked === lr || linked.file === file.path || linked.origin !== 'explicit' || linked.value !== lr.value) continue;
      out.push({ setting: linked, why: `kept equal to ${keyOf(lr, 'the LR')} here: the Trainer refuses to start when the two differ (fill_match), unless it is "auto"` });
    }
  }
  return out;
}

/**
 * A target for a framework whose accumulation is a written per-device batch // the micro batch (axolotl
 * `batch_size`): a new global batch edits that batch (the accumulation follows); a new micro batch keeps it
 * (the accumulation follows, the global batch stays). A per-device batch the micro batch does not divide is
 * refused: the framework would floor the accumulation and shrink the batch. Returns the new global batch.
 */
function rescalePerDevice(
  perDevice: Setting<number>,
  micro: Setting<number>,
  target: RescaleTarget,
  dp: Setting<number> | undefined,
  file: SourceFile,
  framework: string | undefined,
  result: RescaleResult,
  edit: (field: PlanField, s: Setting, to: string, why: string) => void,
): number {
  const fw = framework ?? 'the framework';
  const key = keyOf(perDevice, 'the per-device batch');
  const microKey = keyOf(micro, 'the micro batch');
  const B = perDevice.value;
  if (target.kind === 'micro-batch') {
    const m = target.value;
    if (B % m !== 0) {
      throw new RescaleError(
        `${key} ${formatCount(B)} is written and is not a multiple of ${microKey} ${m}: ${fw} would floor the accumulation to ${formatCount(Math.floor(B / m))} (${key} // ${microKey}), so the global batch would shrink; pick a micro batch that divides ${formatCount(B)}`,
      );
    }
    const reason = notEditable(micro, file);
    if (reason) throw new RescaleError(`the micro batch cannot be set: ${reason}; set ${microKey} to ${m} there`);
    edit('microBatchSize', micro, String(m), `the micro batch asked for; ${key} ${formatCount(B)} is written, so ${fw} changes the accumulation instead`);
    result.kept.push(`${key} ${formatCount(B)} is written: ${fw} changes the accumulation from ${formatCount(B / micro.value)} to ${formatCount(B / m)} (${key} // ${microKey}), so the global batch does not change`);
    return result.oldGlobal;
  }
  if (!dp) throw new RescaleError(`the world size of ${file.path} is unknown, so the per-device batch for a global batch of ${target.value} is too (set assume.worldSize in .trainlint.yml)`);
  const perGpu = target.value / dp.value;
  if (!Number.isInteger(perGpu)) throw new RescaleError(`global batch ${target.value} is not a multiple of the data-parallel size ${dp.value}: ${key} is per device`);
  if (perGpu % micro.value !== 0) {
    throw new RescaleError(
      `${key} would be ${formatCount(perGpu)} (${target.value} / ${dp.value} data-parallel), which is not a multiple of ${microKey} ${formatCount(micro.value)}: ${fw} would floor the accumulation (${key} // ${microKey}); pick a global batch that is a multiple of ${formatCount(micro.value * dp.value)}`,
    );
  }
  const reason = notEditable(perDevice, file);
  if (reason) throw new RescaleError(`${key} cannot be set to ${formatCount(perGpu)}: ${reason}`);
  edit('gradAccumSteps', perDevice, String(perGpu), `= ${target.value} / ${dp.value} data-parallel: ${key} is per device; ${fw} makes the accumulation ${formatCount(perGpu)} // ${formatCount(micro.value)} = ${formatCount(perGpu / micro.value)}`);
  return target.value;
}

/**
 * A per-rank micro batch or accumulation the framework computes by dividing a written total by the world
 * size (nanoGPT divides gradient_accumulation_steps, Ultralytics splits batch over the GPUs): with it, the
 * global batch does not follow the world size.
 */
function perRankShare(plan: TrainingPlan): { setting: Setting<number>; total: string; refuses: (framework?: string) => string } | undefined {
  const byWorld = (s: Setting<number> | undefined) => s?.origin === 'derived' && /world size|over the GPUs|\/ \d+ GPUs/.test(s.how ?? '');
  if (byWorld(plan.gradAccumSteps)) {
    return {
      setting: plan.gradAccumSteps!,
      total: 'the accumulation',
      refuses: (f) => `${f ?? 'the framework'} refuses it (train.py: assert gradient_accumulation_steps % ddp_world_size == 0)`,
    };
  }
  if (byWorld(plan.microBatchSize)) {
    return {
      setting: plan.microBatchSize!,
      total: 'the total batch',
      refuses: (f) => `${f ?? 'the framework'} gives each GPU the floor of the share, so the global batch would shrink`,
    };
  }
  return undefined;
}

/**
 * Multi-step milestones counted in steps (MMEngine `milestones`, detectron2 `SOLVER.STEPS`) move with the
 * run: each number of the literal list is divided by k; a list that is not literal here is listed by hand.
 */
function milestones(
  plan: TrainingPlan,
  file: SourceFile,
  k: number,
  ratio: string,
  result: RescaleResult,
  edit: (field: PlanField, s: Setting, to: string, why: string) => void,
): void {
  const first = plan.firstMilestone && asWritten(plan.firstMilestone);
  const last = plan.lastMilestone && asWritten(plan.lastMilestone);
  if (!first || first.unit !== 'steps' || first.origin === 'derived' || first.origin === 'default') return;
  const scaled = (n: number) => Math.max(1, Math.round(n / k));
  const key = keyOf(first, 'milestones');
  const list = first.file === file.path && first.origin === 'explicit' ? afterKey(first, file, String.raw`[[(][^\])]*[\])]`) : undefined;
  const numbers = list ? [...list.text.matchAll(new RegExp(NUMBER, 'g'))] : [];
  const values = numbers.map((m) => Number(m[0].replace(/_/g, '')));
  if (!list || values.length === 0 || values[0] !== first.value || values[values.length - 1] !== last?.value) {
    const shown = first === last || !last || last.value === first.value ? `${scaled(first.value)}` : `${scaled(first.value)} … ${scaled(last.value)} (each ÷ ${ratio})`;
    result.manual.push(`${key} should be ${shown} to keep the LR drops at the same samples, but ${notEditable(first, file) ?? 'the list is not literal text here'}`);
    return;
  }
  for (const [i, m] of numbers.entries()) {
    const column = list.range.column + m.index!;
    const range: Range = { line: list.range.line, column, endLine: list.range.line, endColumn: column + m[0].length };
    const n = values[i];
    edit(i === 0 ? 'firstMilestone' : 'lastMilestone', { ...first, range, valueRange: range }, String(scaled(n)), `milestone keeps its samples: ${formatCount(n)} ÷ ${ratio} = ${formatCount(Number((n / k).toFixed(1)))}`);
  }
}

/** The literal launcher count that is the world size (`--nproc_per_node 4` on one node), if any. */
function worldLiteral(file: SourceFile, world: Setting<number>): Range | undefined {
  // A config key that holds the world size as one literal count (GPT-NeoX global_num_gpus).
  if (!file.script && world.file === file.path && world.origin === 'explicit' && world.valueRange && !world.how) return world.valueRange;
  if (world.file !== file.path || !file.script || !world.range || /×/.test(world.how ?? '')) return undefined;
  for (const cmd of file.script.commands) {
    for (const arg of cmd.launcherArgs) {
      const r = arg.flagRange;
      if (arg.flag !== world.key || r.line !== world.range.line || r.column !== world.range.column) continue;
      if (!arg.valueRange || arg.viaVariable || arg.value?.trim() !== String(world.value)) return undefined;
      return arg.valueRange;
    }
  }
  return undefined;
}
