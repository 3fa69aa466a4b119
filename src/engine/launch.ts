/**
 * The parsed form of a launch script (`.sh`): variable assignments and the training
 * command lines it runs. Nothing in a script is ever executed; this is static reading only.
 */
import type { Range } from './types.js';

export interface ShellArg {
  /** `--batch-size` (always with its dashes), or '' for a positional argument. */
  flag: string;
  /** The value after expansion of `$VAR`/`${VAR}`; undefined for a bare switch. */
  value?: string;
  /** Range of the flag as written (for `--flag=value`, just the `--flag` part). */
  flagRange: Range;
  /** Range of the value as written, when it is literal text in the command. */
  valueRange?: Range;
  /** Name of the variable the value (or the whole argument) came from, if any. */
  viaVariable?: string;
  /**
   * The value is an unknown, unquoted `$VAR` that may stand for several words (`--bf16 $EXTRA_ARGS`): the
   * flag's value for an option that takes one, more words after a switch (the switch is on). The variable's name.
   * (Flags such a word may also write after a switch are not counted as hidden by it: flagMayBeSetBy.)
   */
  valueOpaque?: string;
  /**
   * For a positional `key=value` word (a Hydra override `trainer.nnodes=2`): the range of the key
   * and of the value as written (the value's range is in the assignment when it came from `$VAR`).
   */
  assignment?: { keyRange: Range; valueRange: Range };
  /**
   * A positional word that stands for words trainlint cannot see (an unknown `$EXTRA_ARGS`, the end of
   * `"${ARGS[@]}"` after a branch appended to it): flags among them would set the program's options.
   * `flags`: the flags it may hold, when every word it may hold is known; undefined: any flag.
   */
  opaque?: { variable: string; flags?: string[] };
}

/**
 * 'none': a framework CLI whose process count trainlint cannot see from the command alone
 * (`llamafactory-cli train`, `axolotl train`, `litgpt finetune`); its configs are still linked.
 */
export type LauncherKind = 'torchrun' | 'python' | 'accelerate' | 'deepspeed' | 'srun' | 'none';

export interface LaunchCommand {
  /** The launcher that starts the program (`python -m` / `python script.py` is 'python'). */
  launcher: LauncherKind;
  /** Options given to the launcher itself (`--nproc_per_node 4`). */
  launcherArgs: ShellArg[];
  /** `-m module.name` target, if any. */
  module?: string;
  /** Script path target (`train.py`), if any. */
  script?: string;
  /** The program's own arguments, in order. */
  args: ShellArg[];
  /** Range from the first word of the command to its last. */
  range: Range;
  /** `NAME=value` words written before the command (its environment), after expansion. */
  env?: Record<string, string>;
  /** The `tune run` / `llamafactory-cli train` / `axolotl train` / `litgpt finetune` front end, when that started it. */
  cli?: string;
  /** The SLURM allocation the script's `#SBATCH` lines request (srun inherits it). */
  slurm?: SlurmAllocation;
  /**
   * Where the command hands on the script's own arguments (`"$@"`, `$*`): whoever runs the script
   * can add or override arguments, so the plan read from the script is "overridable".
   */
  forwardsArgs?: Range;
  /**
   * A command of another script that this script runs (`LaunchScript.called`): where it is written there
   * (`./run_train.sh:12`, the path as the calling command wrote it). Its ranges are all the calling command's.
   */
  through?: string;
  /** For a command of another script (`through`): that script's repository-relative path, when the reader gave it. */
  throughFile?: string;
}

/** One `#SBATCH` value, with where it is written. */
export interface SbatchValue {
  value: number;
  /** The directive as written (`--nodes=2`, `-N 2`, `--gres=gpu:8`). */
  text: string;
  range: Range;
}

/**
 * What a batch script's `#SBATCH` lines request (read before the first command, as sbatch does).
 * `ntasks` is the total task count when it follows (`--ntasks`, or `--nodes` × `--ntasks-per-node`).
 */
export interface SlurmAllocation {
  nodes?: SbatchValue;
  ntasksPerNode?: SbatchValue;
  ntasks?: SbatchValue;
  gpusPerNode?: SbatchValue;
  gpus?: SbatchValue;
}

/**
 * A `cd DIR` / `pushd DIR` in the script: commands after it run in DIR. `$(git rev-parse --show-toplevel)/sub`
 * is two changes (the root, then `sub`); the end of a subshell that changed directory, and a `popd`, are a
 * change to `$(git rev-parse --show-toplevel)` followed by the changes in effect before, at the `)` / `popd`.
 */
export interface DirectoryChange {
  /** The directory after variable expansion; substitutions stay as written (`$(dirname "$0")/..`). */
  dir: string;
  range: Range;
}

export interface ShellVariable {
  name: string;
  /** The assigned value after quote removal and expansion of earlier variables. */
  value: string;
  /** Range of the whole assignment. */
  range: Range;
}

export interface LaunchScript {
  variables: ShellVariable[];
  commands: LaunchCommand[];
  /**
   * The training commands of the scripts this script runs (`NGPU=6 CONFIG_FILE=x.toml ./run_train.sh`), read
   * with the environment and arguments the calling command gives them, each placed at that command (ranges)
   * with no literal value ranges (nothing in this file to edit): for linking the configs they name, not part
   * of this script's own plan.
   */
  called?: LaunchCommand[];
  /** `cd` and `pushd` statements, in script order. */
  directoryChanges?: DirectoryChange[];
  /** The `#SBATCH` allocation, when the script has such lines. */
  slurm?: SlurmAllocation;
  /**
   * Files the script sources (`source ./hparams.env`, `. env.sh`), as written after expansion: read (their
   * assignments applied, `read: true`) or not (why; variables they may set keep the script's values).
   */
  sources?: SourcedFile[];
}

/** A `source FILE` statement, and whether its file could be read (read statically, never run). */
export interface SourcedFile {
  path: string;
  range: Range;
  read: boolean;
  /** Why it was not read: outside the repository, missing, too large, an unknown path. */
  why?: string;
}

/**
 * Reads a file a launch script sources, for the parser (which stays pure): the path as written after expansion,
 * and the directory changes before the statement. `text` when it is a regular file inside the repository within
 * the byte limit; else why not.
 */
/** Reads a file a script sources or runs: its text, and its repository-relative path when the reader knows it. */
export type SourceReader = (path: string, directoryChanges: readonly DirectoryChange[]) => { text: string; rel?: string } | { why: string };

/** The world size a launch command implies, with how it was computed. */
export interface LauncherWorldSize {
  value: number;
  how: string;
  range: Range;
  key: string;
}
