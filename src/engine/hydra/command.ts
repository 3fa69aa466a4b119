/**
 * A Hydra application's command line, read from a launch command (engine/launch.ts):
 * `python3 -m verl.trainer.main_ppo --config-path=config --config-name=ppo_megatron_trainer a.b=1 +c=2 "$@"`.
 * Gives the config it names (`--config-path`/`-cp`, `--config-name`/`-cn`, `--config-dir`/`-cd`),
 * each override with where its key and value are written, Hydra's own error for an override it
 * cannot parse, and whether the script hands its own arguments on (`"$@"`: the plan is overridable).
 * Pure.
 */
import path from 'node:path';
import type { LaunchCommand, ShellArg } from '../launch.js';
import type { Range } from '../types.js';
import type { LocatedOverride } from './compose.js';
import { parseOverride, sweepReason } from './overrides.js';

export interface WrittenValue {
  value: string;
  range: Range;
}

export interface HydraCommand {
  /** The Python file of the application: `verl/trainer/main_ppo.py` for `-m verl.trainer.main_ppo`, or the script as written. */
  app?: string;
  configPath?: WrittenValue;
  configName?: WrittenValue;
  configDir?: WrittenValue;
  /** `--multirun`/`-m`: sweeps are allowed. */
  multirun: boolean;
  overrides: LocatedOverride[];
  /** Overrides Hydra cannot parse, with its message, where they are written. */
  errors: { message: string; range: Range }[];
  /** `"$@"` / `$*`: the caller may add overrides after these. */
  forwardsArgs?: Range;
  /**
   * An OmegaConf dotlist application (MaxText: `train.py CONFIG.yml key=value …`, read with
   * `OmegaConf.from_cli`): the config file is the first positional argument and every `key=value`
   * after it sets a key, its text typed as YAML; there is no Hydra grammar to reject a value.
   */
  dotlist?: boolean;
  configFile?: WrittenValue;
}

const FLAGS: Record<string, 'configPath' | 'configName' | 'configDir'> = {
  '--config-path': 'configPath',
  '-cp': 'configPath',
  '--config-name': 'configName',
  '-cn': 'configName',
  '--config-dir': 'configDir',
  '-cd': 'configDir',
};
/** Hydra switches: a value the shell reader gave them is really the next override. */
const SWITCHES = new Set(['--multirun', '-m', '--resolve', '--run', '-r', '--help', '-h', '--hydra-help', '--version']);
const FORWARDED = /^\$(?:[@*]|\{[@*](?::[^}]*)?\})$/;
/** A shell expansion the script could not resolve: the value is not known before the run. */
const UNRESOLVED_SHELL = /\$(?:[A-Za-z_{(]|\d)|`/;

function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) ? t.slice(1, -1) : t;
}

/** Read the Hydra part of a launch command. `file` is the script's path; `origin` the overrides' origin for the plan. */
export function hydraCommand(cmd: LaunchCommand, file: string, origin: LocatedOverride['origin'] = 'explicit'): HydraCommand {
  const out: HydraCommand = { multirun: false, overrides: [], errors: [] };
  if (cmd.module) out.app = `${cmd.module.replace(/\./g, '/')}.py`;
  else if (cmd.script) out.app = cmd.script;
  if (cmd.forwardsArgs) out.forwardsArgs = cmd.forwardsArgs;
  const positional: ShellArg[] = [];
  for (const arg of cmd.args) {
    const which = Object.hasOwn(FLAGS, arg.flag) ? FLAGS[arg.flag] : undefined;
    if (which) {
      if (arg.value !== undefined) out[which] = { value: unquote(arg.value), range: arg.valueRange ?? arg.flagRange };
      continue;
    }
    if (SWITCHES.has(arg.flag)) {
      if (arg.flag === '--multirun' || arg.flag === '-m') out.multirun = true;
      // `--multirun a=1`: the reader took the override as the switch's value.
      if (arg.value !== undefined && arg.valueRange) positional.push({ flag: '', value: arg.value, flagRange: arg.valueRange, valueRange: arg.valueRange });
      continue;
    }
    // Other options (`--cfg job`, `--package _global_`, `--info searchpath`) are not overrides.
    if (arg.flag !== '') continue;
    positional.push(arg);
  }
  const dotlist = isDotlistCommand(cmd);
  if (dotlist) out.dotlist = true;
  for (const arg of positional) {
    const text = arg.value ?? '';
    if (text === '' || FORWARDED.test(text)) continue;
    const range = arg.flagRange;
    if (dotlist && !out.configFile && !text.includes('=') && /\.ya?ml$/i.test(text)) {
      out.configFile = { value: unquote(text), range: arg.valueRange ?? range };
      continue;
    }
    const parsed = dotlist ? parseDotlistItem(text) : parseOverride(text);
    if (!parsed.ok) {
      // A sweep is legal under --multirun (each job gets one value): trainlint reads the first job only.
      if (out.multirun && /Ambiguous value/.test(parsed.error)) continue;
      out.errors.push({ message: parsed.error, range });
      continue;
    }
    const o = parsed.override;
    const unresolved = UNRESOLVED_SHELL.test(text) ? `the value comes from a shell expansion the script does not resolve (${o.value?.text ?? text})` : undefined;
    out.overrides.push({
      override: o,
      file,
      range,
      keyRange: arg.assignment?.keyRange ?? range,
      valueRange: arg.assignment?.valueRange ?? range,
      origin,
      ...(unresolved ? { unresolved } : {}),
    });
  }
  return out;
}

/** Whether a value is a sweep (only legal under --multirun). */
export { sweepReason };

/** Applications known to be `@hydra.main` programs (verl's trainers and recipes, NeMo's example scripts). */
const HYDRA_MODULES = /^(?:verl\.trainer\.(?:main_\w+|fsdp_sft_trainer|sft_trainer)|recipe\.\w+\.main_\w+)$/;
const HYDRA_SCRIPTS = /(?:^|\/)(?:megatron_\w+_(?:pretraining|finetuning|sft|tuning|continue_training)|speech_to_text\w*|main_ppo|main_\w+_ppo)\.py$/;

/** MaxText's trainers (`python3 -m MaxText.train`, `maxtext.trainers.pre_train.train`, `MaxText/train.py`): OmegaConf dotlist applications. */
const DOTLIST_MODULES = /^(?:MaxText\.(?:train|sft_trainer|sft\.sft_trainer)|maxtext\.trainers\.[\w.]*train\w*)$/;
const DOTLIST_SCRIPTS = /(?:^|\/)MaxText\/(?:train|sft_trainer)\.py$/;

/** Whether a command starts an OmegaConf dotlist application (`CONFIG.yml key=value …`). */
export function isDotlistCommand(cmd: LaunchCommand): boolean {
  if (cmd.module !== undefined) return DOTLIST_MODULES.test(cmd.module);
  return cmd.script !== undefined && DOTLIST_SCRIPTS.test(cmd.script);
}

/**
 * One `key=value` of `OmegaConf.from_cli`: the text after `=` is read as YAML (a number, a boolean,
 * null, else the text), whatever characters it holds; there is no append or delete.
 */
export function parseDotlistItem(text: string): ReturnType<typeof parseOverride> {
  if (text.length > MAX_DOTLIST_CHARS) return { ok: false, error: `a dotlist item longer than ${MAX_DOTLIST_CHARS} characters is not read` };
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq).trim() : '';
  if (!/^[A-Za-z_][\w-]*(?:\.[\w-]+)*$/.test(key)) return { ok: false, error: `"${text.slice(0, 80)}" is not a key=value item` };
  const raw = unquote(text.slice(eq + 1));
  const quoted = raw !== text.slice(eq + 1).trim();
  const t = raw.trim();
  let value: string | number | boolean | null = raw;
  if (!quoted) {
    if (/^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/.test(t)) value = Number(t.replace(/_/g, ''));
    else if (/^(?:true|false)$/i.test(t)) value = t.toLowerCase() === 'true';
    else if (/^(?:null|~)$/i.test(t) || t === '') value = null;
  }
  return { ok: true, override: { op: 'set', key, path: key.split('.'), value: { kind: 'scalar', value, quoted, text: raw }, text } };
}

const MAX_DOTLIST_CHARS = 4096;

/** Whether a launch command starts a Hydra application: a Hydra config flag, or a known Hydra program. */
export function isHydraCommand(cmd: LaunchCommand): boolean {
  if (isDotlistCommand(cmd)) return true;
  if (cmd.args.some((a) => Object.hasOwn(FLAGS, a.flag))) return true;
  if (cmd.module !== undefined) return HYDRA_MODULES.test(cmd.module);
  return cmd.script !== undefined && HYDRA_SCRIPTS.test(cmd.script);
}

/**
 * Where the config a Hydra command names may be, relative to the command's working directory:
 * `--config-path` is relative to the application's Python file (absolute paths are tried as written;
 * `$(pwd)/x` and `$PWD/x` are the working directory's `x`); without it, the `config_path` of the
 * application's `@hydra.main` (given by `decorator`), else `conf/` and `config/` beside the file.
 * `--config-name` may carry `.yaml`; without it, the decorator's `config_name`.
 */
export function configCandidates(cmd: HydraCommand, decorator?: { configPath?: string; configName?: string }): { dir: string; name: string }[] {
  // A dotlist application names its config file as written, relative to the working directory.
  if (cmd.configFile) return /[$`~]/.test(cmd.configFile.value) ? [] : [{ dir: path.posix.dirname(cmd.configFile.value), name: path.posix.basename(cmd.configFile.value) }];
  const name = (cmd.configName?.value ?? decorator?.configName)?.replace(/\.ya?ml$/, '');
  if (!name || /[$`]/.test(name)) return [];
  const appDir = cmd.app ? path.posix.dirname(cmd.app) : '.';
  const dirs: string[] = [];
  const written = cmd.configDir?.value ?? cmd.configPath?.value;
  if (written !== undefined) {
    const pwd = /^(?:\$\(pwd\)|\$PWD|\$\{PWD\})(?:\/|$)/.exec(written);
    if (pwd) dirs.push(written.slice(pwd[0].length) || '.');
    else if (/[$`~]/.test(written)) return [];
    else if (path.posix.isAbsolute(written)) dirs.push(written);
    else if (cmd.configDir) dirs.push(written);
    else dirs.push(path.posix.join(appDir, written));
  } else if (decorator?.configPath !== undefined) {
    dirs.push(path.posix.join(appDir, decorator.configPath));
  } else {
    dirs.push(path.posix.join(appDir, 'conf'), path.posix.join(appDir, 'config'));
  }
  return dirs.map((dir) => ({ dir: path.posix.normalize(dir), name: `${name}.yaml` }));
}

/** `@hydra.main(config_path=…, config_name=…)` / NeMo's `@hydra_runner(…)` in a Python file, read as text. */
export function hydraDecorator(pythonText: string): { configPath?: string; configName?: string } | undefined {
  const head = pythonText.slice(0, 256 * 1024);
  const at = head.search(/@(?:hydra\.main|hydra_runner)\s*\(/);
  if (at < 0) return undefined;
  const close = head.indexOf(')', at);
  const args = head.slice(at, close < 0 ? at + 400 : Math.min(close, at + 400));
  const arg = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"\\n]*)"|'([^'\\n]*)')`).exec(args)?.slice(1).find((v) => v !== undefined);
  const configPath = arg('config_path');
  const configName = arg('config_name');
  return { ...(configPath !== undefined ? { configPath } : {}), ...(configName !== undefined ? { configName } : {}) };
}
