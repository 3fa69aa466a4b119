/**
 * What a launch script tells the configs it starts. Every training command in a committed script
 * (`torchrun … train.py --config configs/sft.yaml`, `tune run … --config x.yaml`, `accelerate launch
 * --config_file acc.yaml …`, `srun` under `#SBATCH` lines) yields one `ScriptLaunch`: the configs
 * it names, the values the launcher gives them (origin 'launcher', pointing at the script's
 * file:line), the accelerate config it names, and the folder the command runs in. `lint()` resolves
 * the paths and links each named config to the launch; `trainlint exec` reads its command line
 * through the same function. Pure: no I/O.
 */
import { isPythonConfig } from './discover.js';
import path from 'node:path';
import { hydraCommand, isHydraCommand, type HydraCommand } from './hydra/command.js';
import type { DirectoryChange, LaunchCommand, LauncherWorldSize, ShellArg } from './launch.js';
import type { LinkedPlan } from './links.js';
import type { Resolution } from './repo-files.js';
import { launcherWorldSize } from './load/shell.js';
import { typeOverride, withOverrides, withProgram, type LaunchOverride, type LaunchProgram, type OverrideStyle } from './launch-overrides.js';
import type { Dialect } from '../dialects/types.js';
import type { SourceFile } from './source.js';
import type { PlanField, Range, Setting } from './types.js';

/** Flags that name the config itself (torchtitan's is `--job.config_file`), not a value over it. */
const SELF_FLAGS = new Set(['--config', '--config-file', '--config_file', '--config_path', '--cfg', '--yaml', '--yaml_config', '--config-path-file', '--job.config_file', '--job.config-file']);
/** Flags whose value is a config file the program reads (`--deepspeed ds.json` is a TrainingArguments value too). */
const CONFIG_FLAGS = new Set([...SELF_FLAGS, '--deepspeed', '--deepspeed_config', '--deepspeed-config']);
/**
 * Config files a command may name; `.py` only under a config/ or configs/ folder (nanoGPT
 * `config/x.py`, MMEngine `configs/faster_rcnn/x.py`), never the script: the discovery rule.
 */
export const CONFIG_EXT = { test: (value: string): boolean => /\.(ya?ml|json|toml)$/i.test(value) || isPythonConfig(value) };

/** GPT-NeoX's launcher (`python deepy.py train.py [-d DIR] a.yml b.yml`), as load/shell.ts names it. */
const NEOX_LAUNCHER = 'deepy.py';

/** A config path written on a command line. */
export interface NamedConfig {
  written: string;
  /** The flag it follows, or '' for a positional argument. */
  flag: string;
  range: Range;
  /** Already resolved by the engine (a Hydra command's --config-path/--config-name). */
  resolved?: Resolution;
}

/** `accelerate launch --config_file X`: the accelerate config a command names. */
export interface AccelerateConfig extends NamedConfig {
  /** What the command line sets itself (`--num_processes`, `--mixed_precision`), which wins over the file's value. */
  commandSets: ('worldSize' | 'precision')[];
}

/** The folder a command runs in, relative to the repository root, and how it was found. */
export interface WorkDir {
  /** Repository-root-relative POSIX folder ('.' for the root); undefined when the script changes to a folder trainlint cannot follow. */
  dir?: string;
  /** For messages: "the repository root", "the launch script's folder (cd at line 4)". */
  label: string;
}

export interface ScriptLaunch {
  /** The script's path (root-relative, as linted). */
  script: string;
  /** A command of another script this one runs (`LaunchCommand.through`): that script, repository-relative. */
  throughFile?: string;
  /** The training command in the script. */
  range: Range;
  /** What started it, for messages: "torchrun", "tune run", "srun torchrun". */
  launcher: string;
  configs: NamedConfig[];
  /** `accelerate launch --config_file X`: the accelerate config, linked to every config of the launch. */
  accelerateConfig?: AccelerateConfig;
  /** Values the launch gives every config it names (origin 'launcher'). */
  values: Partial<Record<PlanField, Setting>>;
  workdir: WorkDir;
  /**
   * A Hydra application (`--config-path/--config-name`, verl's `main_ppo`, NeMo's example scripts):
   * the command's Hydra reading. The engine resolves the config it names (engine/hydra-files.ts) and
   * hands its overrides to that config (origin 'launcher').
   */
  hydra?: HydraCommand;
  /**
   * Values the command writes over the configs it names (flags after a trainer YAML, `key=value` words), in
   * order; each config's dialect applies the styles its framework reads (launchedConfig).
   */
  overrides?: LaunchOverride[];
  /** The program the command runs (its front end, Python file or module), for dialects whose loader depends on it. */
  program?: Omit<LaunchProgram, 'configFlag'>;
}

/** Config files a command names: `--config x.yaml`, `--deepspeed ds.json`, positional `*.yaml`. */
export function namedConfigs(cmd: LaunchCommand): NamedConfig[] {
  if (cmd.cli === NEOX_LAUNCHER) return neoxConfigs(cmd);
  const out: NamedConfig[] = [];
  // ms-swift's front ends (`swift sft`, `megatron sft`) read a config only as their first argument
  // (swift/cli/main.py parse_yaml_args looks at argv[0]); a `.yaml` word elsewhere is a flag's value.
  const firstOnly = cmd.cli !== undefined && MS_SWIFT_FRONT_ENDS.test(cmd.cli);
  for (const [i, arg] of cmd.args.entries()) {
    if (arg.value === undefined || !CONFIG_EXT.test(arg.value)) continue;
    if (arg.flag !== '' && !CONFIG_FLAGS.has(arg.flag)) continue;
    if (firstOnly && arg.flag === '' && i !== 0) continue;
    // `key=value` overrides (`tune run … optimizer.lr=1e-4`) are not paths.
    if (arg.flag === '' && /^[\w.]+=/.test(arg.value)) continue;
    if (!out.some((c) => c.written === arg.value)) out.push({ written: arg.value, flag: arg.flag, range: arg.valueRange ?? arg.flagRange });
  }
  return out;
}

/**
 * GPT-NeoX's `deepy.py USER_SCRIPT [-d CONF_DIR] CONF_FILE…` (NeoXArgs.consume_deepy_args): every positional
 * argument is a config, joined with `--conf_dir`/`-d` (os.path.join: an absolute path stays as it is), and a
 * name without `.yml` or `.json` gets `.yml` (`125M` is `125M.yml`).
 */
function neoxConfigs(cmd: LaunchCommand): NamedConfig[] {
  const dir = lastArg(cmd.args, '--conf_dir', '-d')?.value;
  const out: NamedConfig[] = [];
  for (const arg of cmd.args) {
    if (arg.flag !== '' || !arg.value || /[$`]/.test(arg.value)) continue;
    const file = /\.(?:yml|json)$/.test(arg.value) ? arg.value : `${arg.value}.yml`;
    const written = dir && !file.startsWith('/') ? path.posix.join(dir, file) : file;
    if (!out.some((c) => c.written === written)) out.push({ written, flag: '', range: arg.valueRange ?? arg.flagRange });
  }
  return out;
}

function lastArg(args: readonly ShellArg[], ...flags: string[]): ShellArg | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (flags.includes(args[i].flag)) return args[i];
  return undefined;
}

/**
 * The folder a command runs in. Launch scripts are run from the repository root (`bash
 * scripts/train.sh`) unless they `cd` first: to their own folder (`cd "$(dirname "$0")"`, or a path
 * built on `${BASH_SOURCE[0]}`), to the top of the git checkout, or to a relative folder. A `cd` to
 * anything else (an absolute path on the cluster, an unset variable) cannot be followed.
 */
export function workdirOf(file: SourceFile, cmd: LaunchCommand, scriptDir: string): WorkDir {
  const changes = file.script?.directoryChanges ?? [];
  let n = 0;
  for (const cd of changes) {
    if (cd.range.line > cmd.range.line || (cd.range.line === cmd.range.line && cd.range.column >= cmd.range.column)) break;
    n++;
  }
  return workdirAfter(changes.slice(0, n), file.path, scriptDir);
}

/** The folder a script is in after the directory changes `changes` (in order), as `workdirOf` follows them. */
export function workdirAfter(changes: readonly DirectoryChange[], scriptPath: string, scriptDir: string): WorkDir {
  let wd: WorkDir = { dir: '.', label: 'the repository root' };
  for (const cd of changes) {
    const at = `cd at ${scriptPath}:${cd.range.line}`;
    const text = cd.dir.replace(/["']/g, '');
    let dir: string | undefined;
    if (/dirname/.test(text) && /\$0\b|\$\{0\}|BASH_SOURCE/.test(text)) {
      const rest = text.slice(text.lastIndexOf(')') + 1).replace(/^\/+/, '');
      dir = path.posix.normalize(path.posix.join(scriptDir, rest || '.'));
      wd = { dir, label: rest ? `${rest} from the launch script's folder (${at})` : `the launch script's folder (${at})` };
    } else if (/git\s+rev-parse\s+--show-toplevel/.test(text)) {
      wd = { dir: '.', label: `the repository root (${at})` };
    } else if (wd.dir !== undefined && !/[$`~]/.test(text) && !path.posix.isAbsolute(text) && text !== '-') {
      dir = path.posix.normalize(path.posix.join(wd.dir, text));
      wd = dir.startsWith('..') ? { label: `${cd.dir}, outside the repository (${at})` } : { dir, label: `${dir} (${at})` };
    } else {
      wd = { label: `${cd.dir}, which trainlint cannot follow (${at})` };
    }
    if (wd.dir?.startsWith('..')) wd = { label: `${cd.dir}, outside the repository (${at})` };
  }
  return wd;
}

/** ms-swift's command-line front ends. */
const MS_SWIFT_FRONT_ENDS = /^(?:swift|megatron) /;

/**
 * Front ends whose flags after the config are HfArgumentParser / TrlParser / Megatron / timm / OpenMMLab tools/train.py
 * argparse flags over it, or litgpt's jsonargparse flags (`--devices 4 --train.global_batch_size 6`: the same form).
 */
const ARGPARSE_FRONT_ENDS = /^(?:trl|swift|megatron|litgpt) |^(?:distributed_train|dist_train|slurm_train)\.sh$/;

/**
 * What a command writes over the configs it names, by the convention of the program that reads it:
 * `llamafactory-cli train x.yaml k=v` and `tune run … k=v` are OmegaConf dotlists; `axolotl train x.yml
 * --k v` is click; `trl sft --config x.yaml --k v`, `swift sft x.yaml --k v`, `megatron sft …` and any
 * plain program's flags after a config are argparse (HfArgumentParser, TrlParser, Megatron; a dotted flag
 * `--trainer.num_train_steps 500` is a nested key, as draccus reads Levanter's), and a plain program's `k=v`
 * words a dotlist (LLaMA-Factory's `python src/train.py x.yaml k=v`). A value still holding a shell variable
 * is unknown and skipped. Which of them a config takes is its dialect's choice.
 */
export function launchOverrides(file: SourceFile, cmd: LaunchCommand): LaunchOverride[] {
  const where = `the launch command at ${file.path}:${cmd.range.line}`;
  const out: LaunchOverride[] = isOpenMMLabTrain(cmd) ? openMMLabOverrides(file, cmd, where) : [];
  const known = (text: string) => !/[$`]/.test(text);
  const flags: OverrideStyle | undefined = cmd.cli === 'axolotl train' ? 'click' : !cmd.cli || ARGPARSE_FRONT_ENDS.test(cmd.cli) ? 'argparse' : undefined;
  const words = cmd.cli !== 'axolotl train';
  for (const arg of cmd.args) {
    if (arg.flag === '') {
      const m = /^([\w.]+)=/.exec(arg.value ?? '');
      if (!words || !m || !arg.assignment) continue;
      const text = arg.value!.slice(m[0].length);
      if (!known(text)) continue;
      out.push({ style: 'dotlist', path: m[1].split('.'), value: typeOverride(text, 'dotlist'), text, flag: m[1], file: file.path, range: arg.assignment.keyRange, where });
      continue;
    }
    if (!flags || SELF_FLAGS.has(arg.flag)) continue;
    if (!arg.flag.startsWith('--')) {
      // `-b 32`: a short option, whose key only the dialect knows (DialectMeta.flagAliases; launchedConfig).
      if (/^-[A-Za-z]\w*$/.test(arg.flag) && arg.value !== undefined && known(arg.value)) {
        out.push({ style: flags, path: [], value: typeOverride(arg.value, flags), text: arg.value, flag: arg.flag, file: file.path, range: arg.flagRange, where });
      }
      continue;
    }
    let name = arg.flag.slice(2);
    let value: LaunchOverride['value'];
    let text: string;
    if (arg.value === undefined) {
      // A bare switch: true; click's `--no-x` is x false.
      const negated = flags === 'click' && name.startsWith('no-');
      if (negated) name = name.slice(3);
      value = !negated;
      text = String(value);
    } else {
      if (!known(arg.value)) continue;
      text = arg.value;
      value = typeOverride(text, flags);
    }
    const path = name.split('.').map((k) => k.replace(/-/g, '_'));
    out.push({ style: flags, path, value, text, flag: arg.flag, file: file.path, range: arg.flagRange, where });
  }
  return out;
}

/** OpenMMLab's `tools/train.py`, run directly or by its `dist_train.sh` / `slurm_train.sh` wrappers. */
function isOpenMMLabTrain(cmd: LaunchCommand): boolean {
  return cmd.cli === 'dist_train.sh' || cmd.cli === 'slurm_train.sh' || (cmd.script !== undefined && /(?:^|\/)tools\/train\.py$/.test(cmd.script));
}

/**
 * What OpenMMLab's `tools/train.py` writes over the config after its `_base_` chain is merged (mmdet,
 * mmpretrain, mmseg …): `--auto-scale-lr` turns `auto_scale_lr.enable` on; `--amp` makes the optimizer
 * wrapper `AmpOptimWrapper` with `loss_scale='dynamic'`; `--cfg-options k=v …` (mmengine's DictAction) sets
 * dotted keys. research/frameworks-wave2-vision.md §2.
 */
function openMMLabOverrides(file: SourceFile, cmd: LaunchCommand, where: string): LaunchOverride[] {
  const out: LaunchOverride[] = [];
  const add = (path: string[], value: LaunchOverride['value'], text: string, arg: ShellArg, range: Range) =>
    out.push({ style: 'mmengine', path, value, text, flag: arg.flag || path.join('.'), file: file.path, range, where });
  let options = false;
  for (const arg of cmd.args) {
    if (arg.flag === '--auto-scale-lr' && arg.value === undefined) add(['auto_scale_lr', 'enable'], true, 'True', arg, arg.flagRange);
    if (arg.flag === '--amp' && arg.value === undefined) {
      add(['optim_wrapper', 'type'], 'AmpOptimWrapper', 'AmpOptimWrapper', arg, arg.flagRange);
      add(['optim_wrapper', 'loss_scale'], 'dynamic', 'dynamic', arg, arg.flagRange);
    }
    // `--cfg-options a.b=1 c=2`: the flag's value and the `k=v` words after it (nargs='+').
    if (arg.flag !== '') options = arg.flag === '--cfg-options' || arg.flag === '--cfg_options' || arg.flag === '--options';
    const m = options ? /^([\w.]+)=(.*)$/s.exec(arg.value ?? '') : null;
    if (!m || /[$`]/.test(m[2])) continue;
    add(m[1].split('.'), dictActionValue(m[2]), m[2], { ...arg, flag: m[1] }, arg.assignment?.keyRange ?? arg.valueRange ?? arg.flagRange);
  }
  return out;
}

/** A `--cfg-options` value as mmengine's DictAction types it: int, float, True/False, None, else the text (quotes removed). */
function dictActionValue(text: string): LaunchOverride['value'] {
  const t = text.trim();
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) || /^[-+]?(?:inf|nan)$/i.test(t)) {
    const n = Number(t.replace(/^([-+]?)inf$/i, '$1Infinity'));
    if (!Number.isNaN(n)) return n;
  }
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (t === 'None') return null;
  return t.replace(/^(['"])(.*)\1$/s, '$2');
}

/**
 * The config as this launch runs it: the overrides its dialect's framework applies, written over its tree,
 * and the program that reads it (launchProgramOf), with the flag that names this file.
 */
export function launchedConfig(file: SourceFile, launch: Pick<ScriptLaunch, 'overrides' | 'program' | 'configs'>, dialect: Pick<Dialect, 'meta'> | undefined): SourceFile {
  const styles = dialect?.meta.launchOverrides;
  const launched = !styles || !launch.overrides?.length ? file : withOverrides(file, launch.overrides.filter((o) => styles.includes(o.style)).map((o) => aliased(o, dialect?.meta.flagAliases)));
  if (!launch.program) return launched;
  const named = launch.configs?.find((c) => namesFile(c.written, file.path)) ?? launch.configs?.find((c) => !/\.json$/i.test(c.written));
  return withProgram(launched, { ...launch.program, configFlag: named?.flag ?? '' });
}

/**
 * An override as the dialect's framework reads it: an aliased flag (`-b 32`, timm's `--batch-size`) gets
 * its key; a short flag without an alias keeps an empty path (not applied). The alias `config` names the
 * config itself and is never a value over it.
 */
function aliased(o: LaunchOverride, aliases: Readonly<Record<string, string>> | undefined): LaunchOverride {
  const key = aliases && Object.hasOwn(aliases, o.flag) ? aliases[o.flag] : undefined;
  if (!key) return o;
  return key === 'config' ? { ...o, path: [] } : { ...o, path: key.split('.') };
}

/** Whether a path written on a command line can be this (root-relative) file: the same path, or its tail. */
function namesFile(written: string, file: string): boolean {
  const w = path.posix.normalize(written.replace(/^\.\//, ''));
  return file === w || file.endsWith(`/${w}`) || w.endsWith(`/${file}`);
}

/** The launcher's name for messages. */
function launcherName(cmd: LaunchCommand): string {
  const name = cmd.cli ? cmd.cli : cmd.launcher === 'none' ? 'the launch command' : cmd.launcher === 'accelerate' ? 'accelerate launch' : cmd.launcher;
  return cmd.through ? `${name} in ${cmd.through}` : name;
}

/** A script's training commands, then those of the scripts it runs (`LaunchScript.called`, at the commands that run them). */
export function launchCommands(file: SourceFile): LaunchCommand[] {
  const script = file.script;
  if (!script) return [];
  return script.called ? [...script.commands, ...script.called] : script.commands;
}

/** The accelerate config an `accelerate launch --config_file X …` command names. */
export function accelerateConfigOf(cmd: LaunchCommand): AccelerateConfig | undefined {
  if (cmd.launcher !== 'accelerate') return undefined;
  const acc = lastArg(cmd.launcherArgs, '--config_file', '--config-file');
  if (!acc?.value) return undefined;
  const commandSets: AccelerateConfig['commandSets'] = [];
  // A flag the command writes wins over the file even when its value is unknown (`--num_processes $WORLD_SIZE`).
  if (lastArg(cmd.launcherArgs, '--num_processes', '--num-processes')) commandSets.push('worldSize');
  if (lastArg(cmd.launcherArgs, '--mixed_precision', '--mixed-precision')) commandSets.push('precision');
  return { written: acc.value, flag: acc.flag, range: acc.valueRange ?? acc.flagRange, commandSets };
}

/**
 * What an accelerate config gives the program `accelerate launch --config_file X` starts, as the launch's values:
 * its `num_processes` (the world size) and `mixed_precision`, read by `accelerateLink` (`config` is that linked
 * plan), each where the command line does not set it (accelerate takes the file's value only for what the command
 * leaves out). The engine adds them to `ScriptLaunch.values` before a dialect reads the config the command names
 * (or the script's own command line, for diffusers and sd-scripts commands): a dialect that turns scheduler ticks
 * into optimizer steps must see the process count, whichever of the two gave it.
 */
export function accelerateValues(accelerate: AccelerateConfig, config: Pick<LinkedPlan, 'path' | 'plan'>, where: string): Partial<Record<PlanField, Setting>> {
  const out: Partial<Record<PlanField, Setting>> = {};
  const from = `from ${config.path}, the accelerate config of the launch command at ${where} (${accelerate.flag} ${accelerate.written})`;
  const { worldSize, precision } = config.plan;
  if (worldSize && !accelerate.commandSets.includes('worldSize')) out.worldSize = { ...worldSize, how: `num_processes ${worldSize.value} in ${config.path}`, note: from };
  if (precision && !accelerate.commandSets.includes('precision')) out.precision = { ...precision, note: from };
  return out;
}

/**
 * A program built on detectron2's `default_argument_parser` (`tools/train_net.py`,
 * `tools/lazyconfig_train_net.py`, `tools/plain_train_net.py`, a project's `train_net.py`), started by
 * plain python: it spawns its own workers (`launch(main, args.num_gpus, num_machines=args.num_machines)`).
 * Recognised by the script's name, or by the parser's `--num-gpus` with `--config-file`.
 */
function isDetectron2Launch(cmd: LaunchCommand): boolean {
  if (cmd.launcher !== 'python' || cmd.cli || cmd.module) return false;
  if (cmd.script !== undefined && /(?:^|\/)(?:lazyconfig_|plain_)?train_net\.py$/.test(cmd.script)) return true;
  return cmd.args.some((a) => a.flag === '--num-gpus') && cmd.args.some((a) => a.flag === '--config-file');
}

/** A positive integer as written, or undefined (`$NGPUS`, `auto`). */
function flagCount(arg: ShellArg): number | undefined {
  const v = arg.value?.trim();
  const n = v && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The processes detectron2's `launch` starts: `--num-gpus` × `--num-machines` (each 1 when not written,
 * default_argument_parser), or undefined when a value is not a number trainlint can read.
 */
function detectron2WorldSize(cmd: LaunchCommand): LauncherWorldSize | undefined {
  const gpus = lastArg(cmd.args, '--num-gpus');
  const machines = lastArg(cmd.args, '--num-machines');
  const g = gpus ? flagCount(gpus) : 1;
  const m = machines ? flagCount(machines) : 1;
  if (g === undefined || m === undefined) return undefined;
  // An opaque word (`$EXTRA_ARGS`) may set either flag.
  if ((!gpus || !machines) && cmd.args.some((a) => a.flag === '' && /[$`]/.test(a.value ?? ''))) return undefined;
  const said = (a: ShellArg) => `${a.flag} ${a.value ?? ''}`.trim();
  const gpusText = gpus ? said(gpus) : '--num-gpus not set (default 1)';
  const how = machines ? `${gpusText} × ${said(machines)} (detectron2 launch)` : `${gpusText} (detectron2 launch; --num-machines not set: 1 machine)`;
  const at = gpus ?? machines;
  return { value: g * m, how, range: at?.flagRange ?? cmd.range, key: at?.flag ?? '--num-gpus' };
}

/**
 * A JAX training program (Levanter's `levanter.main.*`, MaxText's `MaxText.train`): one process per host runs
 * over every local device (TPU chips or GPUs), so plain python's "one process" is not its device count.
 */
const JAX_MODULE = /^(?:levanter\.main\.|MaxText\.|maxtext\.)/;
const JAX_SCRIPT = /(?:^|\/)(?:levanter\/main\/\w+|MaxText\/(?:train|sft_trainer|train_compile)|maxtext\/train)\.py$/;

function isPlainPythonJax(cmd: LaunchCommand): boolean {
  if (cmd.launcher !== 'python' || cmd.cli) return false;
  return (cmd.module !== undefined && JAX_MODULE.test(cmd.module)) || (cmd.script !== undefined && JAX_SCRIPT.test(cmd.script));
}

/** Every training command of a launch script that names configs (or an accelerate config), with what it gives them. */
export function scriptLaunches(file: SourceFile, scriptDir = path.posix.dirname(file.path)): ScriptLaunch[] {
  const out: ScriptLaunch[] = [];
  for (const cmd of launchCommands(file)) {
    // A Hydra command of a script this one runs: its overrides are written in the other file (not followed).
    if (cmd.through && isHydraCommand(cmd)) continue;
    const configs = namedConfigs(cmd);
    const accelerateConfig = accelerateConfigOf(cmd);
    // Overrides are config values the user wrote (origin 'explicit'), in the script.
    const hydra = isHydraCommand(cmd) ? hydraCommand(cmd, file.path, 'explicit') : undefined;
    // A Hydra program's positional words are overrides (`+data.path=x.yaml`), never config paths.
    if (hydra) configs.splice(0, configs.length, ...configs.filter((c) => c.flag !== ''));
    if (configs.length === 0 && !hydra) continue;
    const values: ScriptLaunch['values'] = {};
    const world = isDetectron2Launch(cmd) ? detectron2WorldSize(cmd) : launcherWorldSize(cmd);
    const where = `${file.path}:${cmd.range.line}`;
    // A Hydra program started by plain python runs its own workers (Ray for verl, Lightning for NeMo):
    // its process count is in its config, not the command. A JAX program's one process uses every local
    // device: the command gives no device count, and the user's assume.worldSize stays.
    if (world && !(hydra && cmd.launcher === 'python') && !isPlainPythonJax(cmd)) {
      values.worldSize = { value: world.value, origin: 'launcher', file: file.path, key: world.key, range: world.range, how: world.how, note: `from the launch command at ${where}` };
    }
    const overrides = hydra ? [] : launchOverrides(file, cmd);
    const runs = cmd.script ?? cmd.module;
    const program = cmd.cli || runs ? { ...(cmd.cli ? { cli: cmd.cli } : {}), ...(runs ? { program: runs } : {}), where } : undefined;
    out.push({
      script: file.path,
      ...(cmd.throughFile !== undefined ? { throughFile: cmd.throughFile } : {}),
      range: cmd.range,
      launcher: launcherName(cmd),
      configs,
      ...(overrides.length ? { overrides } : {}),
      ...(program ? { program } : {}),
      ...(accelerateConfig ? { accelerateConfig } : {}),
      values,
      workdir: workdirOf(file, cmd, scriptDir),
      ...(hydra ? { hydra } : {}),
    });
  }
  return out;
}
