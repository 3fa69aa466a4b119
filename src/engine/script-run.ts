/**
 * A command that runs a launch script of the repository (`NGPU=4 CONFIG_FILE=x.toml ./run_train.sh`,
 * `bash -x scripts/train.sh configs/a.yaml 4`, `sbatch --nodes=2 jobs/train.slurm`): the script, the
 * environment and arguments it is started with. Read from `trainlint exec`'s command line and from the
 * commands of a script (load/shell.ts follows a script its commands run). Pure: no I/O.
 */
import path from 'node:path';

/** The extensions of launch scripts (the walk for scripts and the commands that run one). */
export const SCRIPT_EXTENSIONS = new Set(['.sh', '.bash', '.sbatch', '.slurm']);

/** `NAME=value`: an assignment to the environment of the command that follows. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
/** Words before a command that run it as it is (`nohup`, a script's last `exec`). */
const WRAPPERS = new Set(['nohup', 'exec']);
/** Shells that run a script file given as their first operand. */
const SHELLS = new Set(['bash', 'sh']);

/** A command that runs a launch script: the environment it starts it with, and its path as written. */
export interface ScriptRun {
  environment: [string, string][];
  written: string;
  /** The words after the script: its arguments. */
  args: string[];
  /** `sbatch [options] job.slurm`: the options before the script, which override its #SBATCH lines. */
  sbatchArgs?: string[];
}

/**
 * `[env] [NAME=value…] [nohup|exec] [bash|sh [-options] | sbatch] path/to/script.sh [args…]` (torchtitan's
 * `NGPU=4 CONFIG_FILE=… ./run_train.sh`, `sbatch train.slurm`): the script it runs, by a
 * launch-script extension, and the `NAME=value` words before it. sbatch's options before the script
 * (`--nodes=2`, `-N 2`) are kept: they override its #SBATCH lines. Undefined for any other command,
 * for `env` with options of its own (`-i`, `-u NAME`), for a shell given `-c` (a string, not a file)
 * or `-o`, and for sbatch given `--export` (which decides what environment the job gets) or `--wrap`.
 */
export function scriptRun(command: readonly string[]): ScriptRun | undefined {
  let i = 0;
  const viaEnv = path.posix.basename(command[0] ?? '') === 'env';
  if (viaEnv) i++;
  const environment: [string, string][] = [];
  for (; i < command.length; i++) {
    const m = ASSIGNMENT.exec(command[i]);
    if (!m) break;
    environment.push([m[1], m[2]]);
  }
  // `nohup ./x.sh`, `exec bash x.sh`: the script still runs, with the same environment.
  while (command[i] !== undefined && WRAPPERS.has(command[i])) i++;
  let word = command[i];
  if (word === undefined || (viaEnv && word.startsWith('-'))) return undefined;
  let sbatchArgs: string[] | undefined;
  if (path.posix.basename(word) === 'sbatch') {
    // The job runs the script in the submission folder, under its #SBATCH allocation, which options on
    // sbatch's command line override. The script is the first word after them with a script's extension
    // (an option's value never has one: `-p gpu`, `-t 01:00:00`, `-o logs/%j.out`).
    const start = ++i;
    while (command[i] !== undefined && !SCRIPT_EXTENSIONS.has(path.posix.extname(command[i]).toLowerCase())) i++;
    word = command[i];
    sbatchArgs = command.slice(start, i);
    if (word === undefined || word.startsWith('-') || sbatchArgs.some((a) => /^--(?:export|wrap)(?:=|$)/.test(a))) return undefined;
  } else if (SHELLS.has(path.posix.basename(word))) {
    for (i++; command[i]?.startsWith('-'); i++) {
      if (command[i] === '--') {
        i++;
        break;
      }
      if (!/^-[A-Za-z]+$/.test(command[i]) || /[co]/.test(command[i])) return undefined;
    }
    word = command[i];
  }
  if (word === undefined || !SCRIPT_EXTENSIONS.has(path.posix.extname(word).toLowerCase())) return undefined;
  return { environment, written: word, args: command.slice(i + 1), ...(sbatchArgs?.length ? { sbatchArgs } : {}) };
}
