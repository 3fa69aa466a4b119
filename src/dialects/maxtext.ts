/**
 * MaxText (AI-Hypercomputer/maxtext): YAML configs built on `base.yml` (`base_config: base.yml`,
 * followed by engine/inherit.ts through the one resolver; a base that is not in the repository is
 * MaxText's packaged one) and launch commands `python3 -m MaxText.train CONFIG.yml key=value …`
 * (OmegaConf dotlist overrides, engine/hydra/command.ts `dotlist`), applied after the YAML.
 *
 * Units and schedule (research §6; `maxtext_utils.create_learning_rate_schedule`): the batch is
 * per device (`per_device_batch_size`, a float), the global batch int(int(devices × per-device) ×
 * `gradient_accumulation_steps`) with the devices from JAX (unknown statically unless every mesh
 * axis is written, or assume.worldSize); warmup is `warmup_steps_fraction` of
 * `learning_rate_schedule_steps` (not of `steps`); the cosine (or WSD) decay ends at
 * `learning_rate_schedule_steps` (-1: `steps`), and every step past it trains at LR 0.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { viewOf } from '../engine/config-view.js';
import type { ComposedConfig, EntrySource } from '../engine/hydra/compose.js';
import { applyOverrides } from '../engine/hydra/compose.js';
import { isDotlistCommand } from '../engine/hydra/command.js';
import { commandConfigNote, hydraView, viewExtraction, type HydraView } from '../engine/hydra/view.js';
import { applyAssumptions, derived, derivedFrom, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { mapGet, type ConfigNode, type MapEntry, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { HydraValues, type DefaultValue } from './hydra-values.js';
import type { BatchCheck, ConfigError, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** base.yml defaults of the keys trainlint reads (AI-Hypercomputer/maxtext @ e591f30cb, research §6.2). */
const ICI_AXES = ['data', 'fsdp', 'fsdp_transpose', 'sequence', 'context', 'context_autoregressive', 'tensor', 'tensor_transpose', 'tensor_sequence', 'expert', 'autoregressive', 'pipeline'];
export const MAXTEXT_DEFAULTS: Record<string, DefaultValue> = {
  steps: 150_001,
  learning_rate: 3e-5,
  lr_schedule_type: 'cosine',
  learning_rate_final_fraction: 0.1,
  wsd_decay_steps_fraction: 0.1,
  wsd_decay_style: 'linear',
  warmup_steps_fraction: 0.1,
  learning_rate_schedule_steps: -1,
  per_device_batch_size: 12,
  gradient_accumulation_steps: 1,
  enable_checkpointing: true,
  async_checkpointing: true,
  checkpoint_period: 10_000,
  eval_interval: -1,
  eval_steps: -1,
  dtype: 'bfloat16',
  weight_dtype: 'float32',
  opt_type: 'adamw',
  max_target_length: 2048,
  num_slices: -1,
  ...Object.fromEntries(ICI_AXES.map((a) => [`ici_${a}_parallelism`, a === 'fsdp' ? -1 : 1])),
  ...Object.fromEntries(ICI_AXES.map((a) => [`dcn_${a}_parallelism`, a === 'data' ? -1 : 1])),
};

/** Keys of MaxText's training configs (not of its model-architecture files under models/). */
const TRAINING_KEYS = [
  'run_name', 'steps', 'per_device_batch_size', 'checkpoint_period', 'enable_checkpointing', 'learning_rate_schedule_steps', 'warmup_steps_fraction',
  'base_output_directory', 'ici_fsdp_parallelism', 'dcn_data_parallelism', 'hardware', 'dataset_type', 'max_target_length', 'async_checkpointing',
  'trainer_devices_fraction', 'sampler_devices_fraction', 'num_trainer_slices', 'rollout_data_parallelism', 'use_sft', 'num_epoch',
];

const LABEL = "MaxText's base.yml";

const TRAINING_GROUP = keyGroup(TRAINING_KEYS);
const BASE_CONFIG_GROUP = keyGroup(['base_config']);

function yamlKind(facts: DetectFacts): boolean {
  if (!facts.root) return false;
  const base = facts.some(BASE_CONFIG_GROUP) ? facts.string('base_config') : undefined;
  if (base !== undefined && /\.ya?ml$/i.test(base)) return true;
  return facts.count(TRAINING_GROUP) >= 3;
}

function commands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter(isDotlistCommand);
}

/** The merged config (after `base_config`) as a composition, each key with the file that wrote it. */
function composedOf(file: SourceFile): { config: ComposedConfig; complete: boolean; files: string[] } {
  const view = viewOf(file);
  const root: MapNode = view.tree ?? { kind: 'map', entries: [], range: fileStartRange(file) };
  const sources = new Map<MapEntry, EntrySource>();
  const visit = (node: ConfigNode, depth: number): void => {
    if (node.kind !== 'map' || depth > 64) return;
    for (const e of node.entries) {
      sources.set(e, { file: view.fileOf(e) });
      visit(e.value, depth + 1);
    }
  };
  visit(root, 0);
  const files = file.inherited?.files ?? [];
  return { config: { primary: file.path, root, sources, files: [file.path, ...files], unread: [], notes: [], groups: new Map() }, complete: view.complete, files };
}

interface Ctx {
  file: SourceFile;
  v: HydraValues;
  plan: TrainingPlan;
  notes: string[];
  missing: MissingField[];
  checks: BatchCheck[];
  configErrors: ConfigError[];
  ignored: IgnoredSetting[];
  anchor: Range;
  atRunEnd?: Extraction['atRunEnd'];
}

const said = (s: Setting): string => `${s.key ?? ''} ${typeof s.value === 'number' ? formatCount(s.value) : String(s.value)}${s.origin === 'default' ? ' (base.yml)' : ''}`.trim();

function at(ctx: Ctx, ...settings: (Setting | undefined)[]): Range {
  return ctx.v.rangeOf(...settings) ?? ctx.anchor;
}

/** One kind of mesh axes: the product of the axes that are set, and whether one is -1 (auto). */
interface Axes {
  product: number;
  auto: boolean;
  /** The axes the config writes (not base.yml's), where a finding about them points. */
  written: Setting<number>[];
}

/** The device mesh: the ICI axes (within a slice) and the DCN axes (across slices); undefined when an axis is unknown or invalid. */
interface Mesh {
  ici: Axes;
  dcn: Axes;
  /** ICI × DCN: the devices, when no axis is -1. */
  product: number;
  auto: boolean;
}

function mesh(ctx: Ctx): Mesh | undefined {
  const out: Partial<Record<'ici' | 'dcn', Axes>> = {};
  for (const kind of ['ici', 'dcn'] as const) {
    let product = 1;
    const unspecified: Setting<number>[] = [];
    const written: Setting<number>[] = [];
    for (const axis of ICI_AXES) {
      const s = ctx.v.num(`${kind}_${axis}_parallelism`);
      if (!s) return undefined;
      if (s.origin !== 'default') written.push(s);
      if (s.value === -1) unspecified.push(s);
      else product *= s.value;
    }
    if (unspecified.length > 1) {
      ctx.checks.push({
        kind: `${kind}-axes-unspecified`,
        range: at(ctx, ...unspecified.filter((s) => s.origin !== 'default'), ...unspecified),
        message: `${unspecified.map(said).join(', ')}: more than one ${kind.toUpperCase()} axis is -1 (auto), and MaxText refuses to start ("Found unspecified values (-1) for more than one ${kind.toUpperCase()} parallelism axis. At most one axis can be unspecified."); set all but one of them`,
        data: { axes: unspecified.map((s) => s.key) },
      });
      return undefined;
    }
    out[kind] = { product, auto: unspecified.length === 1, written };
  }
  const { ici, dcn } = out as Record<'ici' | 'dcn', Axes>;
  return { ici, dcn, product: ici.product * dcn.product, auto: ici.auto || dcn.auto };
}

/** The slices the run says it has: num_slices or compile_topology_num_slices when > 0 (MaxText otherwise counts them on the hardware). */
function writtenSlices(ctx: Ctx): Setting<number> | undefined {
  for (const key of ['num_slices', 'compile_topology_num_slices']) {
    const s = ctx.v.num(key);
    if (s && s.origin !== 'default' && s.value > 0) return s;
  }
  return undefined;
}

/**
 * max_utils.fill_unspecified_mesh_axes for one kind of axes against its target (DCN: the slices; ICI: the
 * devices per slice, num_devices // num_slices): the failure in MaxText's words, or undefined when it passes.
 */
function axesFailure(axes: Axes, target: number, kind: 'ICI' | 'DCN'): string | undefined {
  const what = kind === 'DCN' ? 'slices' : 'devices per slice';
  if (axes.auto) {
    const fill = target / axes.product;
    return fill >= 1 && Number.isInteger(fill) ? undefined : `"Unspecified value unable to be determined with the given ${kind} parallelism values" (${what} ${formatCount(target)}, the written ${kind} axes multiply to ${formatCount(axes.product)})`;
  }
  return axes.product === target ? undefined : `"Number of ${what} ${formatCount(target)} does not match the product of the ${kind} parallelism ${formatCount(axes.product)}"`;
}

/** The written mesh against the devices the run has (from assume or the launcher), checked per slice as MaxText does. */
function meshAgainstDevices(ctx: Ctx, m: Mesh, world: Setting<number>): void {
  const slices = writtenSlices(ctx);
  const report = (message: string, ...settings: (Setting | undefined)[]): void => {
    ctx.checks.push({ kind: 'mesh-does-not-match-devices', range: at(ctx, ...settings, world), message, data: { iciProduct: m.ici.product, dcnProduct: m.dcn.product, devices: world.value, ...(slices ? { slices: slices.value } : {}) } });
  };
  const stops = 'MaxText refuses to start (max_utils.fill_unspecified_mesh_axes)';
  if (slices) {
    const dcn = axesFailure(m.dcn, slices.value, 'DCN');
    if (dcn) return report(`the DCN axes do not fit ${said(slices)}: ${stops}: ${dcn}; make the dcn_* axes multiply to ${formatCount(slices.value)} (or set one to -1)`, ...m.dcn.written, slices);
    const perSlice = Math.floor(world.value / slices.value);
    const ici = axesFailure(m.ici, perSlice, 'ICI');
    if (ici) return report(`the ICI axes do not fit the ${formatCount(world.value)} devices over ${said(slices)} (${formatCount(perSlice)} per slice): ${stops}: ${ici}; make the ici_* axes multiply to ${formatCount(perSlice)} (or set one to -1)`, ...m.ici.written, slices);
    return;
  }
  // The slices are counted on the hardware: only the whole mesh against the devices can be checked.
  const { product, auto } = m;
  if (product <= 0 || (auto ? world.value % product === 0 : world.value === product)) return;
  const split = `ICI ${formatCount(m.ici.product)} × DCN ${formatCount(m.dcn.product)}`;
  if (auto) {
    return report(`the written mesh axes multiply to ${formatCount(product)} (${split}), which does not divide the ${formatCount(world.value)} devices: ${stops}: MaxText cannot fill the -1 axis ("Unspecified value unable to be determined with the given … parallelism values"); make the product a divisor of ${formatCount(world.value)}`);
  }
  const perSlice = m.dcn.product > 0 ? world.value / m.dcn.product : NaN;
  const iciWords = Number.isInteger(perSlice) ? `with ${formatCount(m.dcn.product)} slices (the DCN product), "Number of devices per slice ${formatCount(perSlice)} does not match the product of the ICI parallelism ${formatCount(m.ici.product)}"` : undefined;
  report(
    `the mesh axes multiply to ${formatCount(product)} (${split}) but the run has ${formatCount(world.value)} devices: ${stops}: the DCN axes must multiply to the number of slices and the ICI axes to the devices per slice` +
      `${iciWords ? ` (${iciWords}; with another slice count the DCN check fails)` : ''}; set one axis to -1 or make ICI × DCN = ${formatCount(world.value)}`,
  );
}

function extractPlan(ctx: Ctx, env: ExtractEnv): void {
  const { v, plan, notes } = ctx;
  const m = mesh(ctx);
  applyAssumptions(plan, env.assume);
  if (m && plan.worldSize) meshAgainstDevices(ctx, m, plan.worldSize);
  else if (m && !m.auto) plan.worldSize = derived(m.product, `the product of the ici_* and dcn_* parallelism axes (ICI ${formatCount(m.ici.product)} × DCN ${formatCount(m.dcn.product)}, none is -1)`, 'devices');
  const pd = v.num('per_device_batch_size');
  const ga = v.num('gradient_accumulation_steps');
  if (pd) plan.microBatchSize = withUnit(pd, 'samples');
  if (ga) plan.gradAccumSteps = ga;
  const world = plan.worldSize;
  if (pd && ga && world) {
    const value = Math.floor(Math.floor(world.value * pd.value) * ga.value);
    plan.globalBatchSize = derived(value, `int(int(${formatCount(world.value)} devices × ${said(pd)}) × ${said(ga)}) (global_batch_size_to_train_on)`, 'samples');
  } else if (!world) {
    ctx.missing.push({ field: 'worldSize', hint: 'set every ici_*/dcn_* parallelism axis (none -1), or assume.worldSize (the number of chips) in .trainlint.yml' });
  }
  if (pd && pd.value < 1) notes.push(`${said(pd)}: below 1, several devices share one sequence (global batch = int(devices × per_device_batch_size))`);

  // Run length and schedule (create_learning_rate_schedule).
  const steps = v.num('steps');
  const sched = v.num('learning_rate_schedule_steps');
  let total: Setting<number> | undefined;
  let horizon: Setting<number> | undefined;
  if (steps && sched) {
    if (steps.value === -1 && sched.value === -1) notes.push('steps and learning_rate_schedule_steps are both -1: MaxText has no run length');
    else {
      total = steps.value === -1 ? derivedFrom(sched, sched.value, `steps -1: learning_rate_schedule_steps ${formatCount(sched.value)}`, 'steps') : withUnit(steps, 'steps');
      horizon = sched.value === -1 ? { ...derived(total.value, `learning_rate_schedule_steps -1: steps ${formatCount(total.value)}`, 'steps'), origin: 'default', key: 'learning_rate_schedule_steps' } : withUnit(sched, 'steps');
    }
  }
  if (total) plan.totalSteps = total;
  if (horizon) plan.decaySteps = horizon;
  const lr = v.num('learning_rate');
  if (lr) plan.peakLr = lr;
  const type = v.str('lr_schedule_type');
  if (type) plan.scheduler = type;
  const finalFraction = v.num('learning_rate_final_fraction');
  if (lr && finalFraction) plan.minLr = derivedFrom(finalFraction, lr.value * finalFraction.value, `${said(finalFraction)} × learning_rate ${formatSci(lr.value)}`);
  const warm = v.num('warmup_steps_fraction');
  if (warm && horizon) {
    plan.warmupSteps = { ...derivedFrom(warm, Math.floor(horizon.value * warm.value), `int(learning_rate_schedule_steps ${formatCount(horizon.value)} × ${said(warm)})`, 'steps'), fractionOf: { fraction: warm.value, of: 'learning_rate_schedule_steps', ofSteps: horizon.value } };
  }
  if (warm) plan.warmupRatio = withUnit(warm, 'ratio', 'a fraction of learning_rate_schedule_steps, not of steps');
  if (type?.value === 'wsd') {
    const decay = v.num('wsd_decay_steps_fraction');
    if (warm && decay && warm.value + decay.value > 1) {
      ctx.configErrors.push({
        range: at(ctx, decay, warm),
        message: `warmup_steps_fraction ${warm.value} + wsd_decay_steps_fraction ${decay.value} > 1: MaxText refuses to start ("Invalid WSD schedule: warmup_steps_fraction (${warm.value}) + wsd_decay_steps_fraction (${decay.value}) must not exceed 1.0."); lower one of them`,
      });
    }
  } else if (ctx.file.tree?.kind === 'map' && mapGet(ctx.file.tree, 'base_config')) {
    // Only a config built on base.yml chooses these: base.yml itself defines every key.
    for (const key of ['wsd_decay_steps_fraction', 'wsd_decay_style']) {
      const s = v.num(key) ?? v.str(key);
      if (!s || s.origin === 'default' || s.file !== ctx.file.path) continue;
      ctx.ignored.push({ key, range: at(ctx, s), message: `${key} is ignored: lr_schedule_type is ${type?.value ?? 'cosine'}${type?.origin === 'default' ? ' (base.yml)' : ''}, and only the wsd schedule reads it; set lr_schedule_type: wsd or remove it` });
    }
  }
  // Checkpoints and evaluation.
  const ckpt = v.bool('enable_checkpointing');
  const period = v.num('checkpoint_period');
  if (ckpt?.value !== false && period && period.value > 0) plan.saveEverySteps = withUnit(period, 'steps');
  if (ckpt?.value === false && period && period.origin !== 'default' && period.file === ctx.file.path) {
    ctx.ignored.push({ key: 'checkpoint_period', range: at(ctx, period), message: `${said(period)} is ignored: enable_checkpointing is false, so MaxText writes no checkpoint; remove it or enable checkpointing` });
  }
  // save_checkpoint_on_completion (base.yml: true in current MaxText; older versions have no such key,
  // so only a value the composed config holds is used).
  const onCompletion = v.bool('save_checkpoint_on_completion');
  if (ckpt?.value !== false && onCompletion?.value === true) ctx.atRunEnd = { save: 'MaxText saves once at the end, with save_checkpoint_on_completion' };
  const evalEvery = v.num('eval_interval');
  if (evalEvery && evalEvery.value > 0) plan.evalEverySteps = withUnit(evalEvery, 'steps');
  const dtype = v.str('dtype');
  if (dtype) plan.precision = dtype;
  const opt = v.str('opt_type');
  if (opt) plan.optimizer = opt;
  const seq = v.num('max_target_length');
  if (seq) plan.seqLen = withUnit(seq, 'tokens');
  if (v.str('model_name') && v.str('model_name')!.value !== 'default') notes.push(`model_name ${v.str('model_name')!.value}: MaxText merges models/${v.str('model_name')!.value}.yml (architecture keys); a key both there and on the command line is an error unless override_model_config is true`);
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const anchor0 = fileStartRange(file);
  let view: HydraView;
  let cmd: LaunchCommand | undefined;
  let complete = true;
  if (file.format === 'shell') {
    const cmds = commands(file);
    cmd = cmds[0];
    if (!cmd) return { plan: {}, missing: [], anchor: anchor0, notes: ['no MaxText training command found'] };
    // Keys MaxText knows are not checked here: its pydantic config rejects unknown ones.
    view = hydraView(file, env, { command: cmd, knownKey: () => true });
    const notes = [...view.notes];
    if (cmds.length > 1) notes.push(`${cmds.length} MaxText commands in this script; the first (line ${cmd.range.line}) is linted`);
    if (view.commandConfig) {
      notes.push(commandConfigNote(view.commandConfig));
      return { plan: {}, missing: [], anchor: cmd.range, notes, ...(view.overridable ? { overridable: view.overridable } : {}) };
    }
    const named = view.command?.configFile?.value;
    if (named && !/(?:^|\/)base\.yml$/.test(named)) {
      notes.push(`${named} is not in the repository: values it sets are unknown; MaxText's base.yml defaults are used for the rest`);
    }
  } else {
    const own = composedOf(file);
    complete = own.complete;
    const launch = env.hydra?.launch;
    const applied = launch ? applyOverrides(own.config, launch.overrides, { complete: false, knownKey: () => true }) : undefined;
    view = {
      config: applied?.config ?? own.config,
      complete,
      errors: [],
      notes: [],
      ...(launch?.forwardsArgs ? { overridable: { file: launch.script, range: launch.forwardsArgs, message: `${launch.script}:${launch.forwardsArgs.line} ends in "$@": arguments given to the script override these values` } } : {}),
    };
    if (file.inherited) view.notes.push(...file.inherited.notes);
  }
  const v = new HydraValues(file, view, complete ? MAXTEXT_DEFAULTS : {}, {}, LABEL);
  const ctx: Ctx = { file, v, plan: {}, notes: [...view.notes], missing: [], checks: [], configErrors: [], ignored: [], anchor: cmd?.range ?? anchor0 };
  if (!complete) ctx.notes.push('a base_config of this file could not be read: keys it may set are unknown (no base.yml defaults are assumed)');
  extractPlan(ctx, env);
  for (const n of v.reader.notes) if (!ctx.notes.includes(n)) ctx.notes.push(n);
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    anchor: ctx.anchor,
    notes: ctx.notes,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    ...(ctx.atRunEnd ? { atRunEnd: ctx.atRunEnd } : {}),
    ...viewExtraction(view),
    launchChecks: { 'batch-size-mismatch': 'MaxText refuses to start (pyconfig / max_utils raise before training)' },
    // Past learning_rate_schedule_steps the schedule is a run of zeros (constant_zero_steps).
    afterDecay: 'zero',
    decayDefaultsToRun: true,
  };
}

export const maxtext: Dialect = {
  meta: {
    id: 'maxtext',
    formats: ['shell', 'yaml'],
    title: 'MaxText',
    description: 'MaxText YAML configs (base_config: base.yml) and `python3 -m MaxText.train CONFIG.yml key=value …` launch commands',
    yamlLoader: 'omegaconf',
    schema: 'maxtext.schema.json',
    hydra: true,
    rejectsDuplicateKeys: 'MaxText reads YAML with OmegaConf.load, which raises "found duplicate key"',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return commands(file).length > 0 ? 10 : 0;
    if (file.format !== 'yaml') return 0;
    return yamlKind(facts) ? 9 : 0;
  },
  extract,
};
