/**
 * Static reader for launch scripts (`train.sh`): the variables they assign and the
 * training commands they run (torchrun, python, accelerate launch, deepspeed, srun).
 * Nothing in a script is ever executed.
 *
 * Three steps:
 *  1. `splitStatements` walks the source once, tracking quotes, and cuts it into logical
 *     statements: `\`-newline continuations are joined, comments and heredoc bodies are
 *     dropped, multi-line quoted strings and `NAME=( … )` arrays stay in one statement, and
 *     `$( … )` / backtick substitutions become placeholders. Each kept character remembers
 *     its offset in the source, so positions survive all of this.
 *  2. shell-quote tokenises each statement (quotes, escapes, operators). Variable
 *     references come back as markers, which we expand ourselves, in script order.
 *  3. Tokens are located in the statement text with a cursor, cut at operators into simple
 *     commands, and each simple command is either assignments or a launch command.
 */
import { parse } from 'shell-quote';
import type { LaunchCommand, LaunchScript, LauncherWorldSize, SbatchValue, ShellArg, ShellVariable, SlurmAllocation, SourceReader } from '../launch.js';
import type { Range } from '../types.js';
import { scriptRun } from '../script-run.js';
import { computeLineStarts, rangeOf } from './positions.js';
import { arithmeticBody, evaluateArithmetic } from './shell-arith.js';
import { evaluateTest, matchesPattern, type TestWord } from './shell-test.js';

export interface ShellProblem {
  message: string;
  range: Range;
}

/** A logical statement as handed to shell-quote; `map[i]` is the source offset of `text[i]`. */
interface Statement {
  text: string;
  map: number[];
  /** The body of the statement's first heredoc (source offsets), and whether its delimiter was quoted (no expansion). */
  heredoc?: { start: number; end: number; quoted: boolean };
}

/** A shell-quote token located in its statement: raw text is `text.slice(from, to)`. */
interface Token {
  /** shell-quote's word (quotes removed, variables as markers); '' for an operator. */
  tok: string;
  op?: string;
  from: number;
  to: number;
  /** For `NAME=( … )`: the array's elements and the statement index just past `)`. */
  elems?: Token[];
  end?: number;
}

/** A word after expansion; start/end are source offsets (in an assignment, for words from a variable). */
interface Word {
  text: string;
  start: number;
  end: number;
  via?: string;
  /** Source offset of the first `=` of the word as written, for `--flag=value`. */
  eq?: number;
  /** For `--flag=$VAR`: where VAR's value was assigned. */
  valueAt?: [number, number];
  /** An unexpanded variable that may hold several words (`$EXTRA`, the unknown end of a `"${ARGS[@]}"`). */
  opaque?: Opaque;
}

/** A word that stands for words trainlint cannot see: the variable, and the words it may hold when they are known. */
interface Opaque {
  variable: string;
  /** Every word it may hold (a branch appended them); undefined: any words. */
  words?: string[];
  /** The unknown end of a partly known variable: it follows that variable's known words, never a flag's value. */
  rest?: boolean;
}

/** One word of a variable's value; unlocated when it could not be found in the assignment text. */
interface VarWord {
  text: string;
  start?: number;
  end?: number;
  eq?: number;
}

/** How many `eval`s inside `eval`s are followed. */
const MAX_EVAL_DEPTH = 3;

/** Longest variable value kept (characters); longer ones are treated as unknown. */
const MAX_VARIABLE_CHARS = 64 * 1024;
/** At most this many arguments of a script are bound to `$1`…. */
const MAX_POSITIONAL = 64;
/**
 * `NAME` or a script argument `1`, `NAME[i]`, with `:-`, `-`, `:=`, `=`, `:+`, `+`, `:?`, `?` and its word: a `${…}`
 * or `$…` reference.
 */
const VARIABLE_REF = /^([A-Za-z_]\w*|[1-9]\d*)(?:\[([^\]]*)\])?(?:(:?)([-=+?])([\s\S]*))?$/;
/** Longest value whose words are located character by character (`valueWords`); longer ones word by word. */
const MAX_LOCATED_CHARS = 4096;

interface VarRecord {
  value: string;
  words: VarWord[];
  array: boolean;
  /** Set on different branches to different values (or by a loop, or in a function body): expands as written. */
  unknown?: boolean;
  /**
   * Unknown, but every way through starts it with the same words (`words`, `value`): a branch appended to it
   * (`if …; then ARGS+=(--resume latest); fi`). Split, it is those words and then an opaque word for the rest,
   * which may hold the `tail` words (undefined: any words).
   */
  partial?: { tail?: string[] };
}

/** A variable whose value depends on which branch ran. */
const UNKNOWN: VarRecord = { value: '', words: [], array: false, unknown: true };

type Vars = Map<string, VarRecord>;

/**
 * An open compound command. Branching ones (`if`, `case`) collect the variables each branch ends with;
 * a loop body, a function body, or a group run behind `&&`/`||` (`optional`) may run or not. When the
 * frame closes, a variable keeps its value only when every way through gives the same one.
 */
interface Frame {
  kind: 'if' | 'case' | 'loop' | 'function' | 'group' | 'subshell';
  /** The variables when the frame opened (what a branch starts from, and a subshell gets back). */
  before: Vars;
  /** The variables at the end of each finished branch (`if`/`case`). */
  branches: Vars[];
  /** An `else` or a `*)` arm: some branch always runs. */
  exhaustive: boolean;
  optional: boolean;
  /** `case`: the next words are an arm's pattern (up to its `)`). */
  pattern?: boolean;
  /** A function definition waiting for the `{` of its body. */
  awaitsBrace?: boolean;
  /** How many directory changes the script had when a subshell opened. */
  dirs: number;
  /** `if`/`elif` read, `then` not yet: the condition's value when it could be decided (shell-test.ts). */
  awaitsThen?: boolean;
  cond?: boolean;
  /** The branch being read never runs: an earlier one was taken, or its condition is false. */
  dead?: boolean;
  /** A branch known to run was read: the later ones never run, and the frame's start is not a way through. */
  taken?: boolean;
  /** `case`: the word being matched, when known; the patterns of the arm being read (undefined: undecided). */
  subject?: string;
  patterns?: (TestWord | undefined)[];
  /** `case`: an arm fell through (`;&`, `;;&`), so arms are no longer decided. */
  undecided?: boolean;
}

/** A piece of a statement: a simple command's tokens, or a control operator (`&&`, `;;`, `(`, `()`). */
type Piece = { words: Token[] } | { op: string; token: Token };

/** What a variable reference expands to; `words` is set when the expansion is word-split. */
interface Expansion {
  text: string;
  name?: string;
  words?: VarWord[];
  array?: boolean;
}

type CommandBody = Omit<LaunchCommand, 'range'>;
/** `NAME=value` words that start a command (`NNODES=2 bash tools/dist_train.sh …`), with where each is written. */
type CommandEnv = Map<string, { value: string; range: Range }>;
/** What a wrapper script sees of an environment variable; `range` is where it is set, `via` the script variable. */
interface Inherited {
  value: string;
  range?: Range;
  via?: string;
}
/** Whether `flag` takes a value; `next` is the following word, when the value would be it. */
type TakesValue = (flag: string, next?: Word) => boolean;

// Variable references come back from shell-quote as \uE000<index>\uE001.
const MARKS = /\uE000(\d+)\uE001/g;
const WHOLE_MARK = /^\uE000(\d+)\uE001$/;
/** Placeholder key prefix for `$( … )` and backtick substitutions (see `substitution`). */
const SUBST = '\u0001';
const OPERATOR_CHARS = ';&|()<>';
/** A variable reference in an unquoted heredoc body: `${…}` (bounded) or `$NAME`. */
const HEREDOC_REF = /\$(?:\{([^{}\n]{1,200})\}|([A-Za-z_]\w*))/g;
const ASSIGN = /^([A-Za-z_]\w*)(\+?)=/;
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<&', '&>', '&>>', '>|', '<>', '<<', '<<-', '<<<']);
const DECLARE = new Set(['export', 'readonly', 'declare', 'typeset', 'local']);
const WRAPPERS = new Set(['nohup', 'exec', 'time', 'then', 'do', 'else', '{', '!', 'command']);
/**
 * The repository root, as a directory change: `$(git rev-parse --show-toplevel)`. A cd below it
 * (`cd "$(git rev-parse --show-toplevel)/training"`) is recorded as a change to it, then to the rest.
 */
const REPO_ROOT = '$(git rev-parse --show-toplevel)';
const UNDER_REPO_ROOT = /^(?:\$\(\s*git\s+rev-parse\s+--show-toplevel\s*\)|`\s*git\s+rev-parse\s+--show-toplevel\s*`)(?:\/+(.*))?$/;
/** Environment variables launch front ends and wrapper scripts read (launcherWorldSize, dialects). */
const LAUNCH_ENVIRONMENT = ['NPROC_PER_NODE', 'NNODES', 'CUDA_VISIBLE_DEVICES', 'GPUS', 'SRUN_ARGS'];
const PYTHON = /^python(?:\d+(?:\.\d+)*)?$/;
const LAUNCHER_EXES = /^(?:python(?:\d+(?:\.\d+)*)?|torchrun|accelerate|accelerate-launch|deepspeed)$/;
const TORCH_RUN_MODULES = new Set(['torch.distributed.run', 'torch.distributed.launch']);
const ACCELERATE_MODULE = 'accelerate.commands.launch';
const ACCELERATE_CLI_MODULE = 'accelerate.commands.accelerate_cli';
const DEEPSPEED_MODULE = 'deepspeed.launcher.runner';
/** torchrun's, accelerate's and deepspeed's `-m`/`--module`: a switch; the program word is then a module. */
const MODULE_SWITCHES = ['-m', '--module'];
/** Framework command-line front ends that start training from a config (subcommand pattern). */
const FRONT_ENDS: Record<string, RegExp> = {
  'llamafactory-cli': /^train$/,
  'axolotl': /^(?:train|preprocess)$/,
  'litgpt': /^(?:finetune\w*|pretrain)$/,
  // ms-swift (`swift sft|pt|rlhf`, Megatron-SWIFT `megatron sft|pt|rlhf`) and the TRL CLI (`trl grpo …`).
  'swift': /^(?:sft|pt|rlhf)$/,
  'megatron': /^(?:sft|pt|rlhf)$/,
  'trl': /^(?:sft|dpo|grpo|kto|reward|rloo)$/,
};
/** timm's launch wrapper: `distributed_train.sh NUM_PROC train.py-arguments…`. */
const TIMM_WRAPPER = 'distributed_train.sh';
/**
 * OpenMMLab's launch wrappers (`tools/` of mmdet, mmpretrain, mmseg …): `dist_train.sh CONFIG GPUS [args]` runs
 * `torch.distributed.launch --nnodes=$NNODES --nproc_per_node=$GPUS tools/train.py CONFIG --launcher pytorch args`
 * (NNODES from the environment, default 1); `slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [args]` runs
 * `srun --ntasks=$GPUS … python -u tools/train.py CONFIG --work-dir=WORK_DIR --launcher=slurm args` (GPUS from the
 * environment, default 8; SRUN_ARGS are srun options).
 */
const MM_DIST_WRAPPER = 'dist_train.sh';
const MM_SLURM_WRAPPER = 'slurm_train.sh';
/** slurm_train.sh's `GPUS=${GPUS:-8}`. */
const MM_SLURM_DEFAULT_GPUS = 8;
/**
 * GPT-NeoX's launcher: `python deepy.py USER_SCRIPT [-d CONF_DIR] CONF_FILE…` reads the configs and hands the run
 * to DeepSpeed's launcher (one process per GPU of the hostfile, or of the machine): the command does not say how many.
 */
const NEOX_LAUNCHER = 'deepy.py';
/** Framework programs that are the training command themselves, with no subcommand (fairseq's console scripts). */
const TRAIN_PROGRAMS = new Set(['fairseq-train', 'fairseq-hydra-train']);
/** Ultralytics `yolo TASK MODE` tasks (cfg/__init__.py TASKS). */
const YOLO_TASKS = new Set(['detect', 'segment', 'classify', 'pose', 'obb']);
/** The script's own arguments, handed on: `$@`, `$*`, `${@}`, `${@:2}`. */
const FORWARDED = /^\$(?:[@*]|\{[@*](?::[^}]*)?\})$/;
// Launcher options that take no value (spelled with dashes; `_` is normalised to `-`).
const TORCHRUN_SWITCHES = new Set(['--standalone', '--no-python', '--run-path', '--use-env', '--virtual-local-rank']);
const ACCELERATE_SWITCHES = new Set([
  '--multi-gpu', '--use-deepspeed', '--use-fsdp', '--use-megatron-lm', '--use-xpu', '--cpu', '--tpu', '--debug',
  '-q', '--quiet', '--no-python', '--same-network', '--enable-cpu-affinity', '--dynamo-use-fullgraph',
  '--dynamo-use-dynamic', '--downcast-bf16', '--tpu-use-cluster', '--tpu-use-sudo',
]);
const DEEPSPEED_SWITCHES = new Set([
  '--no-ssh-check', '--no-ssh', '--no-python', '--no-local-rank', '--force-multi', '--save-pid',
  '--bind-cores-to-rank', '--elastic-training',
]);
const SRUN_SWITCHES = new Set([
  '-l', '--label', '-u', '--unbuffered', '--exclusive', '--pty', '-K', '--kill-on-bad-exit', '-O', '--overcommit',
  '-v', '--verbose', '-Q', '--quiet', '--no-kill', '-k', '--oversubscribe', '-s', '--multi-prog', '-X',
  '--disable-status', '-E', '--preserve-env', '--spread-job', '-Z', '--no-allocate', '--exact', '--overlap',
  '--whole', '--test-only', '-H', '--hold', '-I', '--immediate',
]);

const norm = (flag: string): string => flag.replace(/_/g, '-');
const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
/** A word that starts with `-` and is not a negative number (`-1`, `-.5`, `-inf`). */
const isFlag = (text: string): boolean => text.length > 1 && text[0] === '-' && !/^-(?:\.?\d|inf(?:inity)?$|nan$)/i.test(text);
/** The launcher's program, never an option value: `train.py` or an inner launcher after srun. */
const isTarget = (w: Word): boolean => w.text.endsWith('.py') || LAUNCHER_EXES.test(basename(w.text));
const switchesFrom = (set: ReadonlySet<string>): TakesValue => (flag, next) => !set.has(norm(flag)) && !(next && isTarget(next));

/** How many files sourced by sourced files are followed. */
const MAX_SOURCE_DEPTH = 4;
/** Commands of one script that run another script and are read through it (a sweep's loop body is one). */
const MAX_FOLLOWED_CALLS = 32;

/**
 * Reads a launch script. `readSource`, when given, reads the files it sources (`source ./hparams.env`): their
 * assignments are applied where the statement is (the file is read, never run). Without it, or when a file
 * cannot be read, the variables keep the script's values and the statement is listed in `script.sources`.
 * `environment` is what the script is started with (`NGPU=4 CONFIG_FILE=x.toml ./run_train.sh`): exported
 * variables set before its first line, so `${NGPU:-8}` is 4. `positional`, when given, are its arguments
 * (`./train.sh configs/a.yaml 8`): `$1`, `${2:-8}`, `shift` and `"$@"` read them; without it they stay as
 * written, and `"$@"` is the arguments handed on (`forwardsArgs`). `sbatchArgs` are the options sbatch was given
 * before the script (`sbatch --nodes=2 job.slurm`): they override its `#SBATCH` lines.
 */
export function parseLaunchScript(
  text: string,
  readSource?: SourceReader,
  environment: ReadonlyArray<readonly [string, string]> = [],
  positional?: readonly string[],
  sbatchArgs?: readonly string[],
): { script: LaunchScript; problems: ShellProblem[] } {
  const parser = new ScriptParser(String(text ?? ''), readSource, 0, environment, positional, sbatchArgs);
  try {
    parser.run();
  } catch (err) {
    // Defensive: a bug here must not take the whole lint run down.
    parser.report(`launch script could not be read: ${err instanceof Error ? err.message : String(err)}`, 0, 1);
  }
  return { script: parser.script, problems: parser.problems };
}

class ScriptParser {
  readonly script: LaunchScript = { variables: [], commands: [] };
  readonly problems: ShellProblem[] = [];
  private readonly seen = new Set<string>();
  private readonly lineStarts: number[];
  private vars: Vars = new Map();
  /** Compound commands open at this point of the script, innermost last. */
  private readonly frames: Frame[] = [];
  /** Directory-change counts saved by `pushd`, for `popd`. */
  private readonly dirStack: number[] = [];
  /** A top-level `exit` was read: nothing after it runs. */
  private ended = false;
  /** The script sources another file (`source env.sh`), which may set any variable. */
  private sourced = false;
  /** The environment the last `env NAME=v` / `NAME=v` words of a command gave it (set by `command`). */
  private commandEnv: CommandEnv = new Map();
  /** Text of each `$( … )`/backtick substitution, by placeholder index. */
  private readonly substs: string[] = [];
  /** Script variables the commands it runs inherit (`export NAME`, `declare -x`, assignments under `set -a`). */
  private readonly exported = new Set<string>();
  private allExport = false;
  /** The script's arguments were given (`positional`): `$1`… are variables named `1`…. */
  private positionalBound = false;
  /** Commands that run another script, read so far (`followScript`). */
  private followed = 0;
  /** How many `eval`s deep the statement being read is. */
  private evalDepth = 0;

  constructor(
    private readonly src: string,
    private readonly readSource?: SourceReader,
    private readonly sourceDepth = 0,
    environment: ReadonlyArray<readonly [string, string]> = [],
    positional?: readonly string[],
    sbatchArgs?: readonly string[],
  ) {
    this.lineStarts = computeLineStarts(src);
    if (positional) {
      this.positionalBound = true;
      positional.slice(0, MAX_POSITIONAL).forEach((value, i) => this.vars.set(String(i + 1), this.plainRecord(value)));
    }
    // The environment the script starts with: exported, so the commands it runs inherit it too.
    for (const [name, value] of environment) {
      if (!/^[A-Za-z_]\w*$/.test(name)) continue;
      this.vars.set(name, this.plainRecord(value));
      this.exported.add(name);
    }
    const slurm = readSbatch(src, this.lineStarts, sbatchArgs);
    if (slurm) {
      this.script.slurm = slurm;
      // What sbatch exports to the job, so `--nnodes $SLURM_NNODES` resolves to a number.
      for (const [name, v] of slurmVariables(slurm)) this.vars.set(name, { value: v, words: [{ text: v }], array: false });
    }
  }

  /** A function body is being read: `$1` and `shift` are the function's arguments there. */
  private inFunction(): boolean {
    return this.frames.some((f) => f.kind === 'function');
  }

  /** A variable given from outside the script (its environment, its arguments): no place in it. */
  private plainRecord(value: string): VarRecord {
    return value.length > MAX_VARIABLE_CHARS ? UNKNOWN : { value, words: splitWords(value).map((text) => ({ text })), array: false };
  }

  /** The script's arguments as they stand (`$1`, `$2`, …), or undefined when one of them is not known (after `shift $N`). */
  private arguments(): Expansion | undefined {
    const words: { text: string }[] = [];
    for (let i = 1; ; i++) {
      const v = this.vars.get(String(i));
      if (!v) break;
      if (v.unknown) return undefined;
      words.push({ text: v.value });
    }
    return { text: words.map((w) => w.text).join(' '), words, array: true };
  }

  /** `shift [n]` with the script's arguments known: `$1` becomes what `$n+1` was. A count not known: all unknown. */
  private shift(count: Word | undefined): void {
    const n = count === undefined ? 1 : /^\d+$/.test(count.text) ? Number(count.text) : undefined;
    const names: string[] = [];
    for (let i = 1; this.vars.has(String(i)); i++) names.push(String(i));
    if (n === undefined) {
      for (const name of names) this.vars.set(name, UNKNOWN);
      return;
    }
    const records = names.map((name) => this.vars.get(name)!);
    names.forEach((name, i) => {
      if (i + n < records.length) this.vars.set(name, records[i + n]);
      else this.vars.delete(name);
    });
  }

  run(): void {
    for (const st of this.splitStatements()) {
      if (this.ended) break;
      this.statement(st);
    }
  }

  /**
   * `source FILE` / `. FILE`: the file's assignments, read statically through `readSource`, apply here (values
   * only: their places are in another file). A file that cannot be read may set any variable (launchers' too).
   * A virtualenv's `activate` sets none that matter.
   */
  private source(words: Token[], st: Statement, refs: string[]): void {
    const path = words[1] ? this.expand(words[1], st, refs)[0]?.text : undefined;
    if (path !== undefined && basename(path) === 'activate') return;
    const last = words[words.length - 1];
    const range = this.range(st.map[words[0].from], st.map[Math.max(last.from, last.to - 1)] + 1);
    // The reader follows a path built on the script's folder (`$(dirname "$0")/env.sh`); other expansions are unknown.
    const read =
      path === undefined
        ? { why: 'its path is not known' }
        : this.readSource
          ? this.readSource(path, [...(this.script.directoryChanges ?? [])])
          : /[$`]/.test(path)
            ? { why: 'its path is not known' }
            : { why: 'sourced files are not read here' };
    if ('why' in read || this.sourceDepth >= MAX_SOURCE_DEPTH) {
      this.sourced = true;
      (this.script.sources ??= []).push({ path: path ?? '', range, read: false, why: 'why' in read ? read.why : 'sourced too deep' });
      return;
    }
    (this.script.sources ??= []).push({ path: path ?? '', range, read: true });
    const child = new ScriptParser(read.text, this.readSource, this.sourceDepth + 1);
    child.vars = new Map(this.vars);
    child.allExport = this.allExport;
    try {
      child.run();
    } catch {
      this.sourced = true;
      return;
    }
    for (const [name, rec] of child.vars) {
      if (this.vars.get(name) === rec) continue;
      // Its words are located in the other file: keep the text only.
      this.vars.set(name, rec === UNKNOWN ? rec : { ...rec, words: rec.words.map((w) => ({ text: w.text })) });
    }
    for (const name of this.vars.keys()) if (!child.vars.has(name)) this.vars.delete(name); // `unset`
    for (const name of child.exported) this.exported.add(name);
    this.allExport = child.allExport;
    this.sourced ||= child.sourced;
  }

  /** Reads one logical statement: its simple commands and the control operators between them. */
  private statement(st: Statement, conditional = false): void {
    const refs: string[] = [];
    const tokens = this.tokenize(st, refs);
    if (!tokens) return;
    let sep = ';'; // the control operator before the next command
    for (const p of pieces(tokens, st.text)) {
      if (this.ended) break;
      if ('op' in p) {
        this.flowOperator(p.op, p.token, st);
        sep = p.op;
      } else {
        this.flowCommand(p.words, st, refs, conditional || sep === '&&' || sep === '||');
        sep = ';';
      }
    }
  }

  /**
   * `eval WORDS` (Megatron-DeepSpeed's `run_cmd="deepspeed … ${megatron_options}"; eval ${run_cmd}`): bash joins
   * the words with spaces and runs them as a command, so they are read as one more statement. Each character
   * keeps where it is written: in the script, or in the assignment of the variable it came from. Nested `eval`s
   * are followed a few levels deep.
   */
  private evalWords(words: Word[], conditional: boolean): void {
    if (!words.length || this.evalDepth >= MAX_EVAL_DEPTH) return;
    let text = '';
    const map: number[] = [];
    for (const [i, w] of words.entries()) {
      if (i > 0) {
        text += ' ';
        map.push(w.start);
      }
      const offsets = this.wordOffsets(w);
      text += w.text;
      map.push(...offsets);
    }
    if (text.length > MAX_VARIABLE_CHARS) return;
    this.evalDepth++;
    try {
      this.statement(this.withSubstitutions({ text, map }), conditional);
    } finally {
      this.evalDepth--;
    }
  }

  /** The source offset of each character of a word: its own when written as is, else in its variable's assignment. */
  private wordOffsets(w: Word): number[] {
    if (w.end - w.start === w.text.length) return [...w.text].map((_, k) => w.start + k);
    const out = [...w.text].map(() => w.start);
    const v = w.via ? this.vars.get(w.via) : undefined;
    if (v && !v.unknown && v.value === w.text) {
      let cur = 0;
      for (const vw of v.words) {
        const at = w.text.indexOf(vw.text, cur);
        if (at < 0) break;
        cur = at + vw.text.length;
        if (vw.start === undefined || vw.end === undefined) continue;
        const literal = vw.end - vw.start === vw.text.length;
        for (let k = 0; k < vw.text.length; k++) out[at + k] = literal ? vw.start + k : vw.start;
      }
    }
    return out;
  }

  /** A statement built from text (an `eval`'s words) with its `$( … )` and backtick substitutions made placeholders. */
  private withSubstitutions(st: Statement): Statement {
    let text = '';
    const map: number[] = [];
    for (let i = 0; i < st.text.length; ) {
      const c = st.text[i];
      const end = (c === '$' && st.text[i + 1] === '(') || c === '`' ? substitutionEnd(st.text, i) : -1;
      if (end < 0) {
        text += c;
        map.push(st.map[i]);
        i++;
        continue;
      }
      this.substs.push(st.text.slice(i, end));
      const placeholder = '${' + SUBST + (this.substs.length - 1) + '}';
      text += placeholder;
      map.push(st.map[i], ...[...placeholder.slice(1)].map(() => st.map[end - 1]));
      i = end;
    }
    return { text, map };
  }

  // ── Control flow ────────────────────────────────────────────────────────────────────

  private open(kind: Frame['kind'], optional = false): Frame {
    const frame: Frame = { kind, before: new Map(this.vars), branches: [], exhaustive: false, optional, dirs: this.script.directoryChanges?.length ?? 0 };
    this.frames.push(frame);
    return frame;
  }

  /** The innermost open frame of `kind`, closing (and dropping) any opened inside it that were never closed. */
  private close(kind: Frame['kind']): Frame | undefined {
    const at = this.frames.map((f) => f.kind).lastIndexOf(kind);
    if (at < 0) return undefined;
    const frame = this.frames[at];
    this.frames.length = at;
    return frame;
  }

  /** Ends the current `if`/`case` branch: its variables are kept (when it may run), and the next branch starts from the frame's. */
  private endBranch(frame: Frame): void {
    if (!frame.dead) frame.branches.push(this.vars);
    this.vars = new Map(frame.before);
  }

  /** A branch that never runs is open here: its commands and assignments are skipped. */
  private inDeadBranch(): boolean {
    return this.frames.some((f) => f.dead);
  }

  /** Reads the condition of an `if`/`elif` (the words after the reserved word); it decides the branch at `then`. */
  private readCondition(frame: Frame, words: Token[], st: Statement, refs: string[]): void {
    frame.awaitsThen = true;
    frame.cond = undefined;
    if (frame.dead || !words.length) return;
    // A redirection was cut out of the words (pieces): inside `[[ … ]]` `<` and `>` compare strings.
    if (/[<>]/.test(st.text.slice(words[0].from, words[words.length - 1].to))) return;
    frame.cond = evaluateTest(words.map((t) => this.testWord(t, st, refs)));
  }

  /** At `then`: the branch runs when its condition is true, never when it is false or an earlier branch was taken. */
  private decideBranch(frame: Frame): void {
    frame.awaitsThen = false;
    frame.dead = frame.taken === true || frame.cond === false;
    if (!frame.dead && frame.cond === true) frame.taken = true;
  }

  /** At the `)` of a `case` arm's patterns: whether the arm runs, when the word and the patterns are known. */
  private decideArm(frame: Frame): void {
    const patterns = frame.patterns ?? [];
    frame.patterns = [];
    if (frame.undecided) {
      frame.dead = false;
      return;
    }
    if (frame.taken) {
      frame.dead = true;
      return;
    }
    const subject = frame.subject;
    // Some pattern matches: the arm runs; none can: it never does; otherwise undecided.
    let verdict: boolean | undefined = subject === undefined || !patterns.length ? undefined : false;
    if (subject !== undefined) {
      for (const p of patterns) {
        const match = p === undefined ? undefined : p.quoted ? p.text === subject : matchesPattern(subject, p.text);
        if (match === true) {
          verdict = true;
          break;
        }
        if (match === undefined) verdict = undefined;
      }
    }
    frame.dead = verdict === false;
    if (verdict === true) frame.taken = true;
  }

  /** A word of a condition or a `case` with its variables expanded; undefined when one of them is unknown. */
  private testWord(t: Token, st: Statement, refs: string[]): TestWord | undefined {
    let known = true;
    const text = t.tok.replace(MARKS, (_, n: string) => {
      const r = this.resolve(refs[+n]);
      if (r.words === undefined) known = false;
      return r.text;
    });
    // A value holding an expansion kept as written (`A=$(hostname)`, `SIZE=$1`) is not known either.
    return known && !/[$`]/.test(text) ? { text, quoted: /["']/.test(st.text.slice(t.from, t.to)) } : undefined;
  }

  private top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** A control operator: subshells `( … )`, case patterns `pat)` and arm ends `;;`, function headers `name()`. */
  private flowOperator(op: string, token: Token, st: Statement): void {
    const top = this.top();
    // `if a && b; then`, `if a | b; then`: the condition is no longer one test.
    if (top?.awaitsThen && op !== ';') top.cond = undefined;
    if (top?.kind === 'case' && top.pattern) {
      if (op === ')') {
        top.pattern = false;
        this.vars = new Map(top.before);
        this.decideArm(top);
      }
      return; // `(` before a pattern, `|` between patterns
    }
    if (top?.kind === 'case' && (op === ';;' || op === ';&' || op === ';;&')) {
      this.endBranch(top);
      top.pattern = true;
      // `;&` runs the next arm's commands without testing it, `;;&` tests it even after a match.
      if (op !== ';;') top.undecided = true;
    } else if (op === '()') {
      this.open('function').awaitsBrace = true;
    } else if (op === '(' || op === '<(' || op === '>(') {
      this.open('subshell');
    } else if (op === ')') {
      const frame = this.close('subshell');
      if (!frame) return;
      // A subshell's assignments and directory changes end with it.
      this.vars = frame.before;
      const at = st.map[token.from] ?? 0;
      this.restoreDirectory(frame.dirs, this.range(at, at + 1));
    }
  }

  /**
   * A simple command, after the reserved words that open, divide and close compound commands
   * (`if … then … else … fi`, `case … esac`, loops, `{ … }`, function bodies). `conditional`: it runs
   * after `&&` or `||`, so its assignments may not happen.
   */
  private flowCommand(seg: Token[], st: Statement, refs: string[], conditional: boolean): void {
    // Only a command that may assign needs the variables kept to merge with (a copy per `&&` line of a long
    // script with many variables was quadratic).
    const before = conditional && seg.some((t) => MAY_ASSIGN.test(st.text.slice(t.from, t.to))) ? new Map(this.vars) : undefined;
    // A second command before `then` (`if a; b; then`): the condition is the last one's status.
    const opener = this.top();
    if (opener?.awaitsThen && st.text.slice(seg[0].from, seg[0].to) !== 'then') opener.cond = undefined;
    const rest = this.reservedWords(seg, st, conditional, refs);
    if (rest.length && !this.inDeadBranch()) {
      const word = st.text.slice(rest[0].from, rest[0].to);
      if (word === 'exit' && !conditional && this.frames.every((f) => f.kind === 'group' && !f.optional)) this.ended = true;
      else if (word === 'source' || word === '.') this.source(rest, st, refs);
      else if (word === 'eval') this.evalWords(rest.slice(1).flatMap((t) => this.expand(t, st, refs)), conditional);
      else this.simpleCommand(rest, st, refs);
    }
    if (before) this.vars = mergeVars([before, this.vars]);
  }

  /** Applies the reserved words at the start of `seg`; returns the command that follows them. */
  private reservedWords(seg: Token[], st: Statement, conditional: boolean, refs: string[]): Token[] {
    let k = 0;
    for (; k < seg.length; k++) {
      const word = st.text.slice(seg[k].from, seg[k].to);
      const top = this.top();
      if (top?.kind === 'case' && top.pattern) {
        if (word !== 'esac') {
          if (seg.slice(k).some((t) => st.text.slice(t.from, t.to) === '*')) top.exhaustive = true;
          (top.patterns ??= []).push(...seg.slice(k).map((t) => this.testWord(t, st, refs)));
          return [];
        }
      }
      if (top?.awaitsBrace && word !== '{') top.awaitsBrace = false;
      switch (word) {
        case 'if':
          this.readCondition(this.open('if', conditional), seg.slice(k + 1), st, refs);
          break;
        case 'elif':
        case 'else': {
          const frame = top?.kind === 'if' ? top : undefined;
          if (!frame) break;
          this.endBranch(frame);
          frame.dead = frame.taken === true;
          if (word === 'else') frame.exhaustive = true;
          else this.readCondition(frame, seg.slice(k + 1), st, refs);
          break;
        }
        case 'fi':
        case 'esac': {
          const frame = this.close(word === 'fi' ? 'if' : 'case');
          if (!frame) break;
          if (!(frame.kind === 'case' && frame.pattern) && !frame.dead) frame.branches.push(this.vars);
          if (!frame.exhaustive && !frame.taken) frame.branches.push(frame.before);
          this.vars = frame.branches.length ? mergeVars(frame.branches) : frame.before;
          break;
        }
        case 'case': {
          const frame = this.open('case', conditional);
          frame.pattern = true;
          const inAt = seg.findIndex((t, j) => j > k && st.text.slice(t.from, t.to) === 'in');
          if (inAt < 0) return [];
          if (inAt === k + 2) frame.subject = this.testWord(seg[k + 1], st, refs)?.text;
          k = inAt; // the words after `in` are the first pattern
          break;
        }
        case 'for':
        case 'select': {
          this.open('loop', conditional);
          // The loop variable takes each value in turn.
          const name = seg[k + 1] ? st.text.slice(seg[k + 1].from, seg[k + 1].to) : '';
          if (/^[A-Za-z_]\w*$/.test(name)) this.vars.set(name, UNKNOWN);
          return [];
        }
        case 'while':
        case 'until':
          this.open('loop', conditional);
          break;
        case 'done':
        case '}': {
          const frame = word === 'done' ? this.close('loop') : this.closeBrace();
          // A loop body runs any number of times, a function body when (and if) it is called.
          if (frame && (frame.kind !== 'group' || frame.optional)) this.vars = mergeVars([frame.before, this.vars]);
          break;
        }
        case '{':
          if (top?.awaitsBrace) top.awaitsBrace = false;
          else this.open('group', conditional);
          break;
        case 'function':
          this.open('function').awaitsBrace = true;
          return [];
        case 'then':
          if (top?.kind === 'if' && top.awaitsThen) this.decideBranch(top);
          break;
        case 'do':
        case '!':
          break;
        default:
          return seg.slice(k);
      }
    }
    return [];
  }

  /** The frame a `}` closes: a group or a function body, whichever is innermost. */
  private closeBrace(): Frame | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const kind = this.frames[i].kind;
      if (kind === 'group' || kind === 'function') return this.close(kind);
    }
    return undefined;
  }

  /** Back to the directory of the first `saved` directory changes (after a subshell or `popd`). */
  private restoreDirectory(saved: number, range: Range): void {
    const changes = this.script.directoryChanges;
    if (!changes || changes.length <= saved) return;
    // Replayed from the repository root: the changes since the last return to it.
    let from = 0;
    for (let i = 0; i < saved; i++) if (changes[i].dir === REPO_ROOT) from = i + 1;
    changes.push({ dir: REPO_ROOT, range }, ...changes.slice(from, saved).map((c) => ({ dir: c.dir, range })));
  }

  /** A `cd DIR` / `pushd DIR`; a directory below the repository root is recorded as the root, then the rest. */
  private changeDirectory(dir: string, range: Range): void {
    const changes = (this.script.directoryChanges ??= []);
    const under = UNDER_REPO_ROOT.exec(dir);
    if (!under) {
      changes.push({ dir, range });
      return;
    }
    changes.push({ dir: REPO_ROOT, range });
    if (under[1]) changes.push({ dir: under[1], range });
  }

  report(message: string, start: number, end: number): void {
    const key = `${start}:${message}`; // a rescan after an unterminated quote may report twice
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push({ message, range: this.range(start, end) });
  }

  private range(start: number, end: number): Range {
    return rangeOf(this.lineStarts, start, end);
  }

  private lineEnd(i: number): number {
    const nl = this.src.indexOf('\n', i);
    return nl < 0 ? this.src.length : nl;
  }

  // ── Step 1: logical statements ──────────────────────────────────────────────────────

  private splitStatements(): Statement[] {
    const src = this.src;
    const n = src.length;
    const out: Statement[] = [];
    // An unterminated quote would swallow the rest of the script: we report it, then rescan
    // its statement with the quote closed at the end of the line it opened on.
    const forcedClose = new Set<number>();
    let rewinds = 0;
    let text = '';
    let map: number[] = [];
    let quote = '';
    let quoteAt = 0;
    let inWord = false; // a `#` only starts a comment at the start of a word
    let wordAt = 0; // where the current word starts in `text`
    let braces = 0; // depth of unquoted `${ … }`
    let array = false; // inside `NAME=( … )`, where newlines do not end the statement
    let continued = false; // this physical line was joined to the one above by `\`
    let heredocs: { delim: string; strip: boolean; quoted: boolean }[] = [];
    let body: Statement['heredoc'];
    let stmtStart = 0;
    const add = (s: string, at: number): void => {
      text += s;
      for (let k = 0; k < s.length; k++) map.push(at);
    };
    const startWord = (): void => {
      if (!inWord) wordAt = text.length;
      inWord = true;
    };
    const flush = (): void => {
      if (text.trim()) out.push({ text, map, ...(body ? { heredoc: body } : {}) });
      text = '';
      map = [];
      body = undefined;
    };

    let i = 0;
    for (;;) {
      if (i >= n) {
        if (!quote) break;
        this.report(`unterminated ${quote === '"' ? 'double' : 'single'} quote (bash would stop with "unexpected EOF")`, quoteAt, quoteAt + 1);
        const nl = src.indexOf('\n', quoteAt);
        if (nl < 0 || ++rewinds > 20) {
          add(quote, n - 1);
          break;
        }
        forcedClose.add(nl);
        // Rescan the statement from its start, with the scanner state reset.
        [i, text, map, quote, inWord, braces, array, continued, heredocs] = [stmtStart, '', [], '', false, 0, false, false, []];
        continue;
      }
      const c = src[i];
      if (quote && forcedClose.has(i)) {
        add(quote, i - 1);
        quote = '';
      }
      if (quote === "'") {
        add(c, i++);
        if (c === "'") quote = '';
        continue;
      }
      if (c === '\\') {
        const nl = src[i + 1] === '\n' ? 2 : src.startsWith('\r\n', i + 1) ? 3 : 0;
        if (nl) {
          i += nl; // a continuation: the next line joins this one (also inside double quotes)
          if (!quote) continued = true;
          continue;
        }
        startWord();
        add(c, i);
        if (i + 1 < n) add(src[i + 1], i + 1);
        i += 2;
        continue;
      }
      if ((c === '$' && src[i + 1] === '(') || c === '`') {
        // `# comment` in backticks (a comment in a continued command) or `$( )`: bash runs nothing and
        // the substitution expands to no text at all, so it adds no argument.
        const silent = this.silentSubstitutionEnd(i);
        if (silent !== undefined) {
          i = silent;
          continue;
        }
        startWord();
        i = this.substitution(i, (s, first, last) => {
          text += s;
          map.push(first);
          for (let k = 1; k < s.length; k++) map.push(last);
        });
        continue;
      }
      if (quote === '"') {
        add(c, i++);
        if (c === '"') quote = '';
        continue;
      }
      if (c === '\n') {
        inWord = false;
        continued = false;
        const next = heredocs.length ? this.skipHeredocs(i + 1, heredocs) : i + 1;
        if (heredocs.length) body = { start: i + 1, end: this.heredocEnd(i + 1, heredocs[0]), quoted: heredocs[0].quoted };
        heredocs = [];
        if (array) add(' ', i);
        else {
          flush();
          stmtStart = next;
        }
        i = next;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        add(c, i++);
        inWord = false;
        continue;
      }
      if (c === '#' && !inWord) {
        if (continued && text.trim()) this.checkContinuedComment(i);
        i = this.lineEnd(i);
        continue;
      }
      if (c === '#' && braces === 0 && src[i - 1] !== '$') {
        // shell-quote would start a comment at any `#`; in bash a mid-word `#` is literal.
        add('\\#', i++);
        continue;
      }
      if (c === '<' && src[i + 1] === '<' && src[i + 2] !== '<') {
        const h = /<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([^\s;&|<>()'"]+))/y;
        h.lastIndex = i;
        const m = h.exec(src);
        if (m) {
          heredocs.push({ delim: m[2] ?? m[3] ?? m[4], strip: m[1] === '-', quoted: m[4] === undefined || src[i + m[0].length - m[4].length - 1] === '\\' });
          for (let k = 0; k < m[0].length; k++) add(src[i + k], i + k);
          i += m[0].length;
          inWord = true;
          continue;
        }
      }
      if (OPERATOR_CHARS.includes(c)) {
        if (c === '(' && !array && /^[A-Za-z_]\w*\+?=$/.test(text.slice(wordAt)) && inWord) array = true;
        else if (c === ')' && array) array = false;
        inWord = false;
        add(c, i++);
        continue;
      }
      startWord();
      if (c === '"' || c === "'") {
        quote = c;
        quoteAt = i;
      } else if (c === '$' && src[i + 1] === '{') braces++;
      else if (c === '}' && braces) braces--;
      add(c, i++);
    }
    flush();
    return out;
  }

  /**
   * Reads a `$( … )` or backtick substitution at `i` (quote-aware, nested parentheses) and
   * emits a placeholder `${\u0001N}` in its place: shell-quote would otherwise split it at
   * the parentheses, and the expander turns the placeholder back into the text as written.
   */
  private substitution(i: number, emit: (s: string, first: number, last: number) => void): number {
    let end = this.substitutionEnd(i);
    if (end < 0) {
      this.report('unterminated command substitution', i, i + 2);
      end = Math.max(this.lineEnd(i), i + 1);
    }
    this.substs.push(this.src.slice(i, end).replace(/\\\r?\n/g, ''));
    emit('${' + SUBST + (this.substs.length - 1) + '}', i, end - 1);
    return end;
  }

  /**
   * The end of a substitution at `i` that prints nothing, else undefined: backticks around only blanks
   * and comments, or an empty `$( )` (in `$( # … )` bash's comment runs on to the line's end).
   */
  private silentSubstitutionEnd(i: number): number | undefined {
    const end = this.substitutionEnd(i);
    if (end < 0) return undefined;
    const backtick = this.src[i] === '`';
    const body = this.src.slice(i + (backtick ? 1 : 2), end - 1).replace(/\\\r?\n/g, ' ');
    const silentLine = backtick ? /^[ \t\r]*(?:#.*)?$/ : /^[ \t\r]*$/;
    return body.split('\n').every((line) => silentLine.test(line)) ? end : undefined;
  }

  /** Where a `$( … )` or backtick substitution at `i` ends (quote-aware, nested parentheses), or -1 when it does not. */
  private substitutionEnd(i: number): number {
    return substitutionEnd(this.src, i);
  }

  /** Where the body of a heredoc that starts at `from` ends: the start of its delimiter line. */
  private heredocEnd(from: number, h: { delim: string; strip: boolean }): number {
    let p = from;
    while (p < this.src.length) {
      const end = this.lineEnd(p);
      let line = this.src.slice(p, end).replace(/\r$/, '');
      if (h.strip) line = line.replace(/^\t+/, '');
      if (line === h.delim) return p;
      p = end + 1;
    }
    return this.src.length;
  }

  /** Skips heredoc bodies that start at `from`; returns the offset after the last delimiter line. */
  private skipHeredocs(from: number, heredocs: { delim: string; strip: boolean }[]): number {
    let p = from;
    for (const h of heredocs) {
      while (p < this.src.length) {
        const end = this.lineEnd(p);
        let line = this.src.slice(p, end).replace(/\r$/, '');
        if (h.strip) line = line.replace(/^\t+/, '');
        p = end + 1;
        if (line === h.delim) break;
      }
    }
    return Math.min(p, this.src.length);
  }

  /** `cmd \` + `  # --flag \` + `  --more`: bash ends the command at the comment. */
  private checkContinuedComment(at: number): void {
    const end = this.lineEnd(at);
    if (/^[ \t]*-/.test(this.src.slice(end + 1, end + 200))) {
      this.report(
        'this comment ends the command above: a `\\` continuation does not carry through a comment, so the lines below run as a separate command',
        at,
        end,
      );
    }
  }

  // ── Step 2: tokens ──────────────────────────────────────────────────────────────────

  private tokenize(st: Statement, refs: string[]): Token[] | undefined {
    let entries: ReturnType<typeof parse>;
    try {
      // A lookup object rather than a lookup function: with a function, shell-quote builds a
      // RegExp for every token it returns, which dominated the parse time.
      const env = new Proxy({} as Record<string, string>, { get: (_, key) => `\uE000${refs.push(String(key)) - 1}\uE001` });
      entries = parse(st.text, env);
    } catch (err) {
      // shell-quote throws on `${}` and unbalanced `${`.
      const msg = err instanceof Error ? err.message : String(err);
      this.report(`cannot read this command: ${msg}`, st.map[0], st.map[st.map.length - 1] + 1);
      return undefined;
    }
    const out: Token[] = [];
    let cur = 0;
    for (const e of entries) {
      while (cur < st.text.length && /\s/.test(st.text[cur])) cur++;
      if (typeof e === 'string' || ('op' in e && e.op === 'glob')) {
        const to = rawWordEnd(st.text, cur);
        out.push({ tok: typeof e === 'string' ? e : e.pattern, from: cur, to });
        cur = to;
      } else if ('op' in e) {
        const to = st.text.startsWith(e.op, cur) ? cur + e.op.length : cur;
        out.push({ tok: '', op: e.op, from: cur, to });
        cur = to;
      }
    }
    return out;
  }

  // ── Step 3: simple commands ─────────────────────────────────────────────────────────

  private simpleCommand(seg: Token[], st: Statement, refs: string[]): void {
    const raw = (t: Token): string => st.text.slice(t.from, t.to);
    let k = 0;
    while (k < seg.length && ASSIGN.test(raw(seg[k]))) k++;
    if (k === seg.length) {
      for (const t of seg) this.assign(t, st, refs);
      return;
    }
    if (DECLARE.has(raw(seg[k]))) {
      const exports = raw(seg[k]) === 'export' || seg.slice(k + 1).some((t) => /^-[a-wyzA-Z]*x/.test(raw(t)));
      for (const t of seg.slice(k + 1)) {
        if (ASSIGN.test(raw(t))) this.assign(t, st, refs);
        const name = /^([A-Za-z_]\w*)(?:\+?=|$)/.exec(raw(t))?.[1];
        if (exports && name) this.exported.add(name);
      }
      return;
    }
    // Leading `NAME=value` words are the command's environment, not script variables.
    const located: CommandEnv = new Map();
    for (const t of seg.slice(0, k)) {
      const m = ASSIGN.exec(raw(t));
      if (!m) continue;
      const value = this.expandMarkers(t.tok.slice(m[0].length), refs).text;
      located.set(m[1], { value, range: this.range(st.map[t.from], st.map[Math.max(t.from, t.to - 1)] + 1) });
    }
    const words = seg.slice(k).flatMap((t) => this.expand(t, st, refs));
    const last = seg[seg.length - 1];
    const range = this.range(st.map[seg[0].from], st.map[Math.max(last.from, last.to - 1)] + 1);
    if (words[0]?.text === 'set') {
      // `set -a` / `set -o allexport`: every later assignment is exported (`set +a` ends it).
      for (const [j, w] of words.entries()) {
        if (/^[-+][A-Za-z]*a/.test(w.text)) this.allExport = w.text[0] === '-';
        else if (w.text === 'allexport' && /^[-+]o$/.test(words[j - 1]?.text ?? '')) this.allExport = words[j - 1].text[0] === '-';
      }
      return;
    }
    if (words[0]?.text === 'read' && st.heredoc) {
      this.readHeredoc(words, st.heredoc, range);
      return;
    }
    if (words[0]?.text === 'shift' && this.positionalBound && !this.inFunction()) {
      this.shift(words[1]);
      return;
    }
    if (words[0]?.text === 'pushd') this.dirStack.push(this.script.directoryChanges?.length ?? 0);
    if ((words[0]?.text === 'cd' || words[0]?.text === 'pushd') && words.length >= 2) {
      this.changeDirectory(words[words.length - 1].text, range);
      return;
    }
    if (words[0]?.text === 'popd') {
      const saved = this.dirStack.pop();
      if (saved !== undefined) this.restoreDirectory(saved, range);
      return;
    }
    this.commandEnv = new Map();
    const body = this.command(words, 0, located);
    if (!body) {
      this.followScript(words, located, range);
      return;
    }
    const env = this.environment();
    // `"$@"` / `$*`: the script hands its own arguments on, so the caller can add more.
    const forwarded = body.args.find((a) => a.flag === '' && a.value !== undefined && FORWARDED.test(a.value));
    if (forwarded) body.forwardsArgs = forwarded.flagRange;
    this.script.commands.push({ ...body, range, ...(Object.keys(env).length ? { env } : {}), ...(this.script.slurm ? { slurm: this.script.slurm } : {}) });
  }

  /**
   * A command that runs another launch script of the repository (`NGPU=6 CONFIG_FILE=x.toml ./run_train.sh`,
   * `bash scripts/train.sh configs/a.yaml 4`, `sbatch --nodes=2 jobs/train.slurm`; script-run.ts): that script
   * is read through `readSource` (found as a sourced file is; never run), with the environment the command
   * gives it (this script's exported variables, then the command's `NAME=value` words) and its arguments. Its
   * training commands go to `script.called`, at this command. One level: what the called script sources or
   * runs is not read (its variables from sourced files stay unknown).
   */
  private followScript(words: Word[], located: CommandEnv, range: Range): void {
    if (!this.readSource || this.sourceDepth > 0 || this.followed >= MAX_FOLLOWED_CALLS) return;
    const run = scriptRun(words.map((w) => w.text));
    if (!run || /[$`]/.test(run.written)) return;
    const read = this.readSource(run.written, [...(this.script.directoryChanges ?? [])]);
    if ('why' in read) return;
    this.followed++;
    const environment = [...this.exportedValues(), ...[...located].map(([name, { value }]): [string, string] => [name, value]), ...run.environment];
    const child = new ScriptParser(read.text, undefined, MAX_SOURCE_DEPTH, environment, run.args, run.sbatchArgs);
    try {
      child.run();
    } catch {
      return;
    }
    for (const cmd of child.script.commands) {
      (this.script.called ??= []).push({ ...atCall(cmd, range), through: `${run.written}:${cmd.range.line}`, ...(read.rel !== undefined ? { throughFile: read.rel } : {}) });
    }
  }

  /** The script's exported variables and their values (`$NAME` for one whose value is not known). */
  private exportedValues(): [string, string][] {
    const out: [string, string][] = [];
    for (const name of this.exported) {
      const v = this.vars.get(name);
      if (v) out.push([name, v.unknown ? `$${name}` : v.value]);
    }
    return out;
  }

  /**
   * The environment of the command just read: the script's exported variables, then its own `env NAME=v` and
   * `NAME=v` words. After `source other.sh`, the variables launchers read may have been set there (unknown).
   */
  private environment(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.sourced) for (const name of LAUNCH_ENVIRONMENT) out[name] = `$${name}`;
    for (const [name, value] of this.exportedValues()) out[name] = value;
    for (const [name, { value }] of this.commandEnv) out[name] = value;
    return out;
  }

  /**
   * `read -r -d '' NAME <<EOF … EOF` (OpenRLHF's launch scripts keep the whole training command in
   * such a variable, then run `deepspeed --module $NAME`): NAME holds the heredoc's body, with
   * `\`-newline continuations joined and variables expanded, as bash's unquoted heredoc gives it
   * (leading and trailing blanks stripped by `read`). Each word keeps where it is written in the
   * body. Without `-d ''` read takes one line only, and a quoted delimiter (`<<'EOF'`) keeps the
   * backslashes: neither is followed (the variable stays unknown).
   */
  private readHeredoc(words: Word[], body: NonNullable<Statement['heredoc']>, range: Range): void {
    const name = words[words.length - 1]?.text ?? '';
    const d = words.findIndex((w) => w.text === '-d' || w.text === '-rd');
    if (body.quoted || d < 0 || words[d + 1]?.text !== '' || !/^[A-Za-z_]\w*$/.test(name) || body.end - body.start > MAX_VARIABLE_CHARS) return;
    const raw = this.src.slice(body.start, body.end).replace(/\\\r?\n/g, ' ');
    // Quotes and operators are literal in a heredoc: only `$NAME` and `${…}` are expanded.
    const value = raw.replace(HEREDOC_REF, (whole, braced: string | undefined, bare: string | undefined) => this.resolve(braced ?? bare).text).trim();
    if (value.length > MAX_VARIABLE_CHARS) return;
    this.vars.set(name, { value, words: this.locate(value, body.start, body.end), array: false });
    this.script.variables.push({ name, value, range });
  }

  private assign(t: Token, st: Statement, refs: string[]): void {
    const m = ASSIGN.exec(st.text.slice(t.from, t.to));
    if (!m) return;
    const name = m[1];
    const start = st.map[t.from];
    let rec: VarRecord;
    let end: number;
    if (t.elems) {
      const words = t.elems.flatMap((e) => this.expand(e, st, refs));
      rec = { value: words.map((w) => w.text).join(' '), words, array: true };
      end = st.map[Math.max(t.from, (t.end ?? t.to) - 1)] + 1;
    } else {
      // The token starts with the same `NAME=` as the raw text, so the value follows it.
      const value = this.expandMarkers(t.tok.slice(m[0].length), refs).text;
      end = st.map[Math.max(t.from, t.to - 1)] + 1;
      const valueStart = t.from + m[0].length < t.to ? st.map[t.from + m[0].length] : end;
      rec = { value, words: this.valueWords(st, t.from + m[0].length, t.to, value) ?? this.locate(value, valueStart, end), array: false };
    }
    if (this.allExport) this.exported.add(name);
    const old = this.vars.get(name);
    // `ARGS+=(…)` or `OPTS="$OPTS …"` after a branch appended to it: the same first words, a longer tail.
    const extended = old?.partial ? this.extendPartial(old, m[2] === '+' ? rec.words : this.afterSelf(t, m[0].length, name, refs)) : undefined;
    if (extended) {
      this.vars.set(name, extended);
      return;
    }
    if (m[2] === '+' && old?.unknown) return;
    if (m[2] === '+' && old) {
      const joins = old.array || /\s$/.test(old.value) || /^\s/.test(rec.value) || !old.value || !rec.value;
      const value = old.value + (old.array ? ' ' : '') + rec.value;
      rec = { value, array: old.array, words: joins ? [...old.words, ...rec.words] : splitWords(value).map((text) => ({ text })) };
    }
    // A value built by doubling (`A=$A$A`, repeated) grows exponentially: past the cap the
    // variable is left unknown, as if it were set outside the script.
    if (rec.value.length > MAX_VARIABLE_CHARS) {
      this.vars.delete(name);
      return;
    }
    this.vars.set(name, rec);
    this.script.variables.push({ name, value: rec.value, range: this.range(start, end) });
  }

  /**
   * The words of `NAME="$NAME more words"` after the leading `$NAME` (undefined when the value does not start with
   * it as a whole word).
   */
  private afterSelf(t: Token, prefix: number, name: string, refs: string[]): VarWord[] | undefined {
    const m = /^\uE000(\d+)\uE001(?=\s|$)/.exec(t.tok.slice(prefix));
    const key = m ? refs[+m[1]] : undefined;
    if (!m || (key !== name && key !== `${name}[@]` && key !== `${name}[*]`)) return undefined;
    return splitWords(this.expandMarkers(t.tok.slice(prefix + m[0].length), refs).text).map((text) => ({ text }));
  }

  /** A partly known variable with `more` words after its end: its tail may hold them too. */
  private extendPartial(old: VarRecord, more: VarWord[] | undefined): VarRecord | undefined {
    if (!more) return undefined;
    const texts = more.map((w) => w.text);
    const tail = old.partial?.tail && !texts.some((w) => HIDES_WORDS.test(w)) ? [...new Set([...old.partial.tail, ...texts])] : undefined;
    return { ...old, partial: tail ? { tail } : {} };
  }

  /**
   * The words of an assigned value, each where it is written: the raw value (`st.text[from, to)`) is expanded
   * again character by character, so a literal character keeps its own offset and the characters a `${MBS}`
   * reference gives take the reference's (or, when that variable's words are located, each word's place in its
   * own assignment). Undefined when the re-expansion does not give `value` (a form it does not follow).
   */
  private valueWords(st: Statement, from: number, to: number, value: string): VarWord[] | undefined {
    // An object per character: only for values of the size option strings have (a value built by doubling,
    // `A=$A$A` repeated up to 64 KiB, is located by `locate`, as before; per character it took seconds).
    if (value.length > MAX_LOCATED_CHARS) return undefined;
    const chars = expandRaw(st.text.slice(from, to), (key) => this.resolve(key));
    if (!chars || chars.map((c) => c.ch).join('') !== value) return undefined;
    // Each character's source range: its own offset, the reference's, or the located word it came from.
    const source = (c: RawChar): [number, number] =>
      c.word ?? [st.map[from + c.raw[0]], st.map[from + Math.max(c.raw[0], c.raw[1] - 1)] + 1];
    const out: VarWord[] = [];
    let cur = 0;
    for (const text of splitWords(value)) {
      const at = value.indexOf(text, cur);
      cur = at + text.length;
      const span = chars.slice(at, cur);
      // A loop, not Math.min(...spread): a word can be tens of thousands of characters long.
      let start = Infinity;
      let end = -Infinity;
      for (const c of span) {
        const [s0, s1] = source(c);
        if (s0 < start) start = s0;
        if (s1 > end) end = s1;
      }
      const eqChar = span[text.indexOf('=')];
      const eq = eqChar && eqChar.literal ? source(eqChar)[0] : undefined;
      out.push({ text, start, end, ...(eq !== undefined ? { eq } : {}) });
    }
    return out;
  }

  /**
   * Splits a variable's value into words and finds each one, in order, in the source text of
   * its assignment, so that a finding about `--lr` in `$ARGS` can point at the line in `ARGS="…"`.
   */
  private locate(value: string, from: number, to: number): VarWord[] {
    const region = this.src.slice(from, to);
    const out: VarWord[] = [];
    let cur = 0;
    for (const text of splitWords(value)) {
      let at = region.indexOf(text, cur);
      const bounded = (a: number): boolean =>
        (a === 0 || /[\s"'(]/.test(region[a - 1])) && (a + text.length === region.length || /[\s"'\\)]/.test(region[a + text.length]));
      while (at >= 0 && !bounded(at)) at = region.indexOf(text, at + 1);
      if (at < 0) {
        out.push({ text });
        continue;
      }
      const eq = text.indexOf('=');
      out.push({ text, start: from + at, end: from + at + text.length, ...(eq >= 0 ? { eq: from + at + eq } : {}) });
      cur = at + text.length;
    }
    return out;
  }

  /** A token's words after variable expansion: usually one, several for an unquoted `$ARGS`. */
  private expand(t: Token, st: Statement, refs: string[]): Word[] {
    const start = st.map[t.from];
    const end = st.map[Math.max(t.from, t.to - 1)] + 1;
    const raw = st.text.slice(t.from, t.to);
    const whole = WHOLE_MARK.exec(t.tok);
    if (whole) {
      const partial = this.partialWords(refs[+whole[1]], raw, start, end);
      if (partial) return partial;
      const r = this.resolve(refs[+whole[1]]);
      // Word splitting: `$ARGS`/`${ARGS}` unquoted, or `"${ARR[@]}"` quoted or not.
      if (r.words && (r.array || /^\$(?:\w+|\{[^'"]*\})$/.test(raw))) {
        return r.words.map((w) => ({
          text: w.text,
          ...(w.start !== undefined && w.end !== undefined ? { start: w.start, end: w.end, eq: w.eq } : { start, end }),
          ...(r.name ? { via: r.name } : {}),
        }));
      }
    }
    const { text, via } = this.expandMarkers(t.tok, refs);
    const word: Word = { text, start, end };
    if (via) word.via = via;
    if (whole) {
      // An unknown `$EXTRA` (unquoted) or `"${ARGS[@]}"`: it may hold several words, flags among them.
      const ref = /^([A-Za-z_]\w*)(?:\[([@*])\])?$/.exec(refs[+whole[1]] ?? '');
      if (ref && text.startsWith('$') && (ref[2] === '@' || UNQUOTED_REF.test(raw))) word.opaque = { variable: ref[1] };
    }
    const eq = raw.indexOf('=');
    if (eq >= 0) word.eq = st.map[t.from + eq];
    const tail = /^[^\uE000=]*=\uE000(\d+)\uE001$/.exec(t.tok);
    if (tail) {
      const w = this.resolve(refs[+tail[1]]).words;
      if (w?.length === 1 && w[0].start !== undefined && w[0].end !== undefined) word.valueAt = [w[0].start, w[0].end];
    }
    return [word];
  }

  /**
   * `"${ARGS[@]}"` or an unquoted `$OPTS` when a branch appended to the variable: its known first words (where
   * they are written), then one opaque word for the rest. `$ARR` of such an array is its known first element.
   */
  private partialWords(key: string | undefined, raw: string, start: number, end: number): Word[] | undefined {
    const m = /^([A-Za-z_]\w*)(?:\[([@*])\])?$/.exec(key ?? '');
    const v = m ? this.vars.get(m[1]) : undefined;
    if (!m || !v?.partial) return undefined;
    const name = m[1];
    const located = (w: VarWord): Word => ({
      text: w.text,
      ...(w.start !== undefined && w.end !== undefined ? { start: w.start, end: w.end, eq: w.eq } : { start, end }),
      via: name,
    });
    if (v.array && m[2] === undefined) return [located(v.words[0])];
    const spread = m[2] === '@' || (UNQUOTED_REF.test(raw) && (m[2] === '*' || !v.array));
    if (!spread) return undefined;
    const rest: Word = {
      text: m[2] ? `\${${name}[${m[2]}]}` : `$${name}`,
      start,
      end,
      via: name,
      opaque: { variable: name, rest: true, ...(v.partial.tail ? { words: v.partial.tail } : {}) },
    };
    return [...v.words.map(located), rest];
  }

  private expandMarkers(tok: string, refs: string[]): { text: string; via?: string } {
    let via: string | undefined;
    const text = tok.replace(MARKS, (_, n: string) => {
      const r = this.resolve(refs[+n]);
      via ??= r.name;
      return r.text;
    });
    return via ? { text, via } : { text };
  }

  /** Expands the text of a `${VAR:-default}` default (quotes removed, variables expanded). */
  private expandText(s: string): string {
    try {
      return parse(s, (key: string) => this.resolve(key).text)
        .map((e) => (typeof e === 'string' ? e : 'op' in e ? (e.op === 'glob' ? e.pattern : e.op) : ''))
        .join(' ');
    } catch {
      return s;
    }
  }

  /** What `$key` / `${key}` expands to. Unknown variables stay as written. */
  private resolve(key: string | undefined): Expansion {
    if (key === undefined || key === '') return { text: '$' };
    if (key.startsWith(SUBST)) return this.substitutionValue(this.substs[Number(key.slice(1))] ?? '');
    const asWritten: Expansion = { text: /^(?:\w+|[*@#?$!-])$/.test(key) ? `$${key}` : `\${${key}}` };
    // `"$@"`: the script's arguments, a word each, when they are known (`positional`) and outside a function body.
    if (key === '@' && this.positionalBound && !this.inFunction()) return this.arguments() ?? asWritten;
    const m = VARIABLE_REF.exec(key);
    if (!m) return asWritten;
    const [, name, index, colon, op, word] = m;
    // `$1`, `${2:-8}`: the script's arguments, only when they are known (`positional`) and outside a function
    // body (there they are the function's own).
    if (/^\d/.test(name) && (!this.positionalBound || this.inFunction())) return asWritten;
    const v = this.vars.get(name);
    if (v?.unknown) return asWritten;
    const known = v && this.known(v, name, index);
    if (!op) return known ?? asWritten;
    const set = known !== undefined && (!colon || known.text !== '');
    if (op === '+') return set ? this.literal(word) : { text: '', words: [] };
    if (set) return known;
    return op === '?' ? asWritten : this.literal(word); // `-` and `=`: the default
  }

  /**
   * A `$( … )` substitution stays as written, except an arithmetic expansion `$(( … ))` whose
   * operands are known (shell-arith.ts): it becomes its value, as bash computes it.
   */
  private substitutionValue(text: string): Expansion {
    const body = arithmeticBody(text);
    if (body === undefined) return { text };
    const result = evaluateArithmetic(body, (name) => {
      const v = this.vars.get(name);
      return v && !v.unknown ? (v.array ? v.words[0]?.text : v.value) : undefined;
    });
    if (!result.ok) return { text };
    const value = String(result.value);
    return { text: value, words: [{ text: value }], ...(result.names.length ? { name: result.names[0] } : {}) };
  }

  private known(v: VarRecord, name: string, index: string | undefined): Expansion | undefined {
    if (index === '@' || index === '*') return { text: v.value, name, words: v.words, array: true };
    if (index !== undefined && !/^\d+$/.test(index)) return undefined;
    if (!v.array && index === undefined) return { text: v.value, name, words: v.words };
    const w = v.words[Number(index ?? 0)]; // `$ARR` is `${ARR[0]}`
    return w ? { text: w.text, name, words: [w] } : { text: '', name, words: [] };
  }

  private literal(word: string): Expansion {
    const text = this.expandText(word);
    return { text, words: splitWords(text).map((t) => ({ text: t })) };
  }

  // ── Launchers ───────────────────────────────────────────────────────────────────────

  /**
   * Recognises the launch command starting at words[k], after wrappers like `nohup`. `outer` is the
   * environment the command line gives it (`NNODES=2 bash tools/dist_train.sh …`), for wrapper scripts.
   */
  private command(words: Word[], k: number, outer: CommandEnv = new Map()): CommandBody | undefined {
    const env: CommandEnv = new Map(outer);
    const setsEnv = (w: Word): void => {
      const m = ASSIGN.exec(w.text);
      if (m) env.set(m[1], { value: w.text.slice(m[0].length), range: this.range(w.start, w.end) });
    };
    while (k < words.length) {
      const t = words[k].text;
      if (WRAPPERS.has(t)) k++;
      else if (k > 0 && ASSIGN.test(t)) setsEnv(words[k++]);
      else if (t === 'env') for (k++; k < words.length && (isFlag(words[k].text) || ASSIGN.test(words[k].text)); ) setsEnv(words[k++]);
      else break;
    }
    this.commandEnv = env;
    if (k >= words.length) return undefined;
    const exe = basename(words[k].text);
    if (exe === 'torchrun') return this.torchrun(words, k + 1, []);
    if (exe === 'deepspeed') return this.launcher('deepspeed', words, k + 1, switchesFrom(DEEPSPEED_SWITCHES));
    if (exe === 'accelerate-launch') return this.launcher('accelerate', words, k + 1, switchesFrom(ACCELERATE_SWITCHES));
    if (exe === 'accelerate') {
      if (words[k + 1]?.text !== 'launch') return undefined;
      return this.launcher('accelerate', words, k + 2, switchesFrom(ACCELERATE_SWITCHES));
    }
    if (PYTHON.test(exe)) {
      const pyValue: TakesValue = (flag) => flag === '-W' || flag === '-X' || flag === '-c';
      const r = this.options(words, k + 1, pyValue, { module: ['-m'] });
      if (r.args.some((a) => a.flag === '-c')) return undefined;
      if (r.module && TORCH_RUN_MODULES.has(r.module)) return this.torchrun(words, r.k, r.args);
      // `python -m accelerate.commands.launch …` is `accelerate launch …`; DeepSpeed's runner is `deepspeed …`.
      if (r.module === ACCELERATE_MODULE) return this.launcher('accelerate', words, r.k, switchesFrom(ACCELERATE_SWITCHES));
      if (r.module === ACCELERATE_CLI_MODULE && words[r.k]?.text === 'launch') return this.launcher('accelerate', words, r.k + 1, switchesFrom(ACCELERATE_SWITCHES));
      if (r.module === DEEPSPEED_MODULE) return this.launcher('deepspeed', words, r.k, switchesFrom(DEEPSPEED_SWITCHES));
      if (r.script !== undefined && basename(r.script) === NEOX_LAUNCHER) return this.neox(words, r.k);
      return this.target('python', words, r);
    }
    if (exe === 'tune' && words[k + 1]?.text === 'run') {
      // `tune run [torchrun options] RECIPE --config X`: torchrun when given its options, else one process.
      const r = this.options(words, k + 2, switchesFrom(TORCHRUN_SWITCHES), {});
      if (r.script === undefined) return undefined;
      const distributed = r.args.some((a) => /^--(?:nproc[-_]per[-_]node|nnodes)$/.test(a.flag));
      return { launcher: distributed ? 'torchrun' : 'python', launcherArgs: r.args, script: r.script, args: this.programArgs(words, r.k), cli: 'tune run' };
    }
    const sub = Object.hasOwn(FRONT_ENDS, exe) ? FRONT_ENDS[exe] : undefined;
    if (sub && words[k + 1] && sub.test(words[k + 1].text)) {
      return { launcher: 'none', launcherArgs: [], script: `${exe} ${words[k + 1].text}`, args: this.programArgs(words, k + 2), cli: `${exe} ${words[k + 1].text}` };
    }
    if (exe === 'yolo') return this.yolo(words, k + 1);
    // Wrapper scripts, run as `bash tools/dist_train.sh …` or `./tools/dist_train.sh …`.
    const at = (exe === 'bash' || exe === 'sh') && words[k + 1] ? k + 1 : k;
    const wrapper = basename(words[at].text);
    if (wrapper === TIMM_WRAPPER) return this.timmWrapper(words, at);
    if (wrapper === MM_DIST_WRAPPER) return this.mmDistWrapper(words, at, env);
    if (wrapper === MM_SLURM_WRAPPER) return this.mmSlurmWrapper(words, at, env);
    if (exe === NEOX_LAUNCHER) return this.neox(words, k + 1);
    if (TRAIN_PROGRAMS.has(exe)) return { launcher: 'none', launcherArgs: [], script: exe, args: this.programArgs(words, k + 1), cli: exe };
    if (exe === 'ray' && words[k + 1]?.text === 'job' && words[k + 2]?.text === 'submit') {
      // `ray job submit [options] -- python3 -m …`: the entrypoint after `--` is the training program.
      const dash = words.findIndex((w, j) => j > k + 2 && w.text === '--');
      return dash > 0 ? this.command(words, dash + 1, env) : undefined;
    }
    if (exe === 'srun') {
      // srun's options come first; the program it starts decides the launcher.
      const r = this.options(words, k + 1, switchesFrom(SRUN_SWITCHES), { splitShort: true });
      if (r.script === undefined) return undefined;
      const inner = this.command(words, r.k - 1, env);
      if (!inner) return undefined;
      return { ...inner, launcher: inner.launcher === 'python' ? 'srun' : inner.launcher, launcherArgs: [...r.args, ...inner.launcherArgs] };
    }
    return undefined;
  }

  /**
   * Ultralytics `yolo [TASK] train k=v …` (or `yolo task=detect mode=train …`): a training command
   * whose arguments are `key=value` words, kept as positional arguments. Other modes are not training.
   */
  private yolo(words: Word[], k: number): CommandBody | undefined {
    let j = k;
    if (YOLO_TASKS.has(words[j]?.text ?? '')) j++;
    if (words[j]?.text === 'train') return { launcher: 'none', launcherArgs: [], script: 'yolo train', args: this.programArgs(words, j + 1), cli: 'yolo train' };
    if (words[j] && !words[j].text.includes('=')) return undefined;
    const args = this.programArgs(words, j);
    return args.some((a) => a.flag === '' && a.value === 'mode=train') ? { launcher: 'none', launcherArgs: [], script: 'yolo train', args, cli: 'yolo train' } : undefined;
  }

  /**
   * timm's `distributed_train.sh N …`: `NUM_PROC=$1; shift; torchrun --nproc_per_node=$NUM_PROC train.py "$@"`.
   * The process count is kept as a launcher option named after the wrapper (launcherWorldSize reads it).
   */
  private timmWrapper(words: Word[], k: number): CommandBody | undefined {
    const n = words[k + 1];
    if (!n || isFlag(n.text)) return undefined;
    const nproc: ShellArg = { ...this.positional(n), flag: TIMM_WRAPPER };
    return { launcher: 'torchrun', launcherArgs: [nproc], script: 'train.py', args: this.programArgs(words, k + 2), cli: TIMM_WRAPPER };
  }

  /**
   * OpenMMLab's `tools/dist_train.sh CONFIG GPUS [args]`: torchrun with GPUS processes per node on NNODES nodes
   * (from its environment; one when unset) running `tools/train.py CONFIG --launcher pytorch args`. GPUS is kept as
   * a launcher option named after the wrapper and NNODES as one named NNODES (launcherWorldSize reads them).
   */
  private mmDistWrapper(words: Word[], k: number, env: CommandEnv): CommandBody | undefined {
    const [config, gpus] = [words[k + 1], words[k + 2]];
    if (!config || !gpus || isFlag(config.text) || isFlag(gpus.text) || /^\d+$/.test(config.text)) return undefined;
    const launcherArgs: ShellArg[] = [{ ...this.positional(gpus), flag: MM_DIST_WRAPPER }];
    const nodes = this.inherited('NNODES', env);
    if (nodes) launcherArgs.push(this.envArg('NNODES', nodes, words[k]));
    const args = [this.positional(config), ...this.programArgs(words, k + 3)];
    return { launcher: 'torchrun', launcherArgs, script: siblingOf(words[k].text, 'train.py'), args, cli: MM_DIST_WRAPPER };
  }

  /**
   * OpenMMLab's `tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [args]`: `srun --ntasks=$GPUS` (its
   * environment; 8 when unset) of `python -u tools/train.py CONFIG … args`. GPUS (or the default) and SRUN_ARGS
   * are kept as launcher options of those names (launcherWorldSize reads them).
   */
  private mmSlurmWrapper(words: Word[], k: number, env: CommandEnv): CommandBody | undefined {
    const config = words[k + 3];
    if (!config || words.slice(k + 1, k + 4).some((w) => isFlag(w.text))) return undefined;
    const gpus = this.inherited('GPUS', env);
    const here = this.range(words[k].start, words[k].end);
    const launcherArgs: ShellArg[] = [gpus ? this.envArg('GPUS', gpus, words[k]) : { flag: MM_SLURM_WRAPPER, value: String(MM_SLURM_DEFAULT_GPUS), flagRange: here, valueRange: here }];
    const srunArgs = this.inherited('SRUN_ARGS', env);
    if (srunArgs) launcherArgs.push(this.envArg('SRUN_ARGS', srunArgs, words[k]));
    const args = [this.positional(config), ...this.programArgs(words, k + 5)];
    return { launcher: 'srun', launcherArgs, script: 'tools/train.py', args, cli: MM_SLURM_WRAPPER };
  }

  /**
   * GPT-NeoX's `deepy.py USER_SCRIPT [-d CONF_DIR] CONF_FILE… [options]`: the configs and options are deepy's own
   * arguments (script-links.ts joins each config with CONF_DIR). DeepSpeed's launcher then starts USER_SCRIPT on
   * the GPUs NeoX counts (the hostfile's, or the machine's), which the command does not show: launcher 'none'.
   */
  private neox(words: Word[], k: number): CommandBody | undefined {
    const all = this.programArgs(words, k);
    const user = all.findIndex((a) => a.flag === '');
    if (user < 0) return undefined;
    return { launcher: 'none', launcherArgs: [], script: all[user].value, args: all.filter((_, i) => i !== user), cli: NEOX_LAUNCHER };
  }

  /**
   * What a wrapper script sees of the environment variable `name`: the command's own `NAME=value`, else the
   * script's variable when it is exported. A variable the script sets without exporting it reaches the wrapper
   * only when the caller's environment already exported it, so its value is unknown (`$NAME`).
   */
  private inherited(name: string, env: CommandEnv): Inherited | undefined {
    const own = env.get(name);
    if (own) return { value: own.value, range: own.range };
    const v = this.vars.get(name);
    // A sourced file may have exported it.
    if (!v) return this.sourced ? { value: `$${name}` } : undefined;
    if (v.unknown) return { value: `$${name}`, via: name };
    let set: ShellVariable | undefined;
    for (const x of this.script.variables) if (x.name === name) set = x;
    return { value: this.exported.has(name) ? v.value : `$${name}`, via: name, ...(set ? { range: set.range } : {}) };
  }

  /** An environment variable a wrapper reads, as a launcher option named after it. */
  private envArg(name: string, found: Inherited, wrapper: Word): ShellArg {
    const range = found.range ?? this.range(wrapper.start, wrapper.end);
    return { flag: name, value: found.value, flagRange: range, valueRange: range, ...(found.via ? { viaVariable: found.via } : {}) };
  }

  private torchrun(words: Word[], k: number, before: ShellArg[]): CommandBody | undefined {
    const r = this.options(words, k, switchesFrom(TORCHRUN_SWITCHES), { moduleSwitch: MODULE_SWITCHES });
    return this.target('torchrun', words, { ...r, args: [...before, ...r.args] });
  }

  private launcher(kind: 'accelerate' | 'deepspeed', words: Word[], k: number, takesValue: TakesValue): CommandBody | undefined {
    return this.target(kind, words, this.options(words, k, takesValue, { moduleSwitch: MODULE_SWITCHES }));
  }

  private target(launcher: LaunchCommand['launcher'], words: Word[], r: ReturnType<ScriptParser['options']>): CommandBody | undefined {
    if (r.module === undefined && r.script === undefined) return undefined;
    const body: CommandBody = { launcher, launcherArgs: r.args, args: this.programArgs(words, r.k) };
    if (r.module !== undefined) body.module = r.module;
    if (r.script !== undefined) body.script = r.script;
    return body;
  }

  /**
   * A launcher's own options, up to its program: `-m module` or the first word that is not
   * an option or an option's value.
   */
  private options(
    words: Word[],
    k: number,
    takesValue: TakesValue,
    opts: { module?: string[]; moduleSwitch?: string[]; splitShort?: boolean },
  ): { args: ShellArg[]; k: number; module?: string; script?: string } {
    const args: ShellArg[] = [];
    let lastTarget = -1; // the last word that looks like the program, for `$OPTS` below
    words.forEach((w, j) => {
      if (j >= k && (opts.module?.includes(w.text) || w.text.endsWith('.py'))) lastTarget = j;
    });
    let asModule = false; // a launcher's `-m` switch: the program word names a module
    while (k < words.length) {
      const w = words[k];
      if (opts.module?.includes(w.text)) return { args, k: k + 2, module: words[k + 1]?.text };
      if (opts.moduleSwitch?.includes(w.text)) {
        asModule = true;
        k++;
        continue;
      }
      if (!isFlag(w.text)) {
        // An unknown `$LAUNCHER_OPTS` before the real program: keep it as an opaque option.
        if (w.text.startsWith('$') && lastTarget > k) {
          args.push(this.positional(w));
          k++;
          continue;
        }
        return { args, k: k + 1, ...(asModule ? { module: w.text } : { script: w.text }) };
      }
      k = this.readArg(words, k, args, takesValue, opts.splitShort);
    }
    return { args, k };
  }

  private programArgs(words: Word[], k: number): ShellArg[] {
    const args: ShellArg[] = [];
    let positionalOnly = false;
    while (k < words.length) {
      const w = words[k];
      if (!positionalOnly && w.text === '--') {
        positionalOnly = true;
        k++;
      } else if (positionalOnly || !isFlag(w.text)) {
        args.push(this.positional(w));
        k++;
      } else k = this.readArg(words, k, args, () => true);
    }
    return args;
  }

  /** Reads the flag at words[k] (and its value, if it has one) into `out`; returns the next index. */
  private readArg(words: Word[], k: number, out: ShellArg[], takesValue: TakesValue, splitShort = false): number {
    const w = words[k];
    const next = words[k + 1];
    const via = w.via ? { viaVariable: w.via } : {};
    const eq = w.text.indexOf('=');
    if (eq > 0) {
      // `--flag=value`: split the range at the `=` when the word is written out.
      const at = w.eq !== undefined && w.eq > w.start && w.eq < w.end ? w.eq : undefined;
      out.push({
        flag: w.text.slice(0, eq),
        value: w.text.slice(eq + 1),
        flagRange: this.range(w.start, at ?? w.end),
        valueRange: w.valueAt ? this.range(...w.valueAt) : this.range(at === undefined ? w.start : at + 1, w.end),
        ...via,
      });
      return k + 1;
    }
    if (splitShort && /^-[A-Za-z]./.test(w.text) && takesValue(w.text.slice(0, 2))) {
      // `srun -n8`: a short option with its value attached.
      const literal = w.end - w.start === w.text.length;
      out.push({
        flag: w.text.slice(0, 2),
        value: w.text.slice(2),
        flagRange: this.range(w.start, literal ? w.start + 2 : w.end),
        valueRange: this.range(literal ? w.start + 2 : w.start, w.end),
        ...via,
      });
      return k + 1;
    }
    // `--switch "$@"`: the script's own arguments are never a flag's value, nor the unknown end of `"${ARGS[@]}"`.
    if (next && !isFlag(next.text) && !FORWARDED.test(next.text) && !next.opaque?.rest && takesValue(w.text, next)) {
      const valueVia = next.via ? { viaVariable: next.via } : via;
      const unknownWords = next.opaque ? { valueOpaque: next.opaque.variable } : {};
      out.push({ flag: w.text, value: next.text, flagRange: this.range(w.start, w.end), valueRange: this.range(next.start, next.end), ...valueVia, ...unknownWords });
      return k + 2;
    }
    out.push({ flag: w.text, flagRange: this.range(w.start, w.end), ...via });
    return k + 1;
  }

  private positional(w: Word): ShellArg {
    const r = this.range(w.start, w.end);
    const arg: ShellArg = { flag: '', value: w.text, flagRange: r, valueRange: r, ...(w.via ? { viaVariable: w.via } : {}) };
    // `ARGS="--lr 1 $EXTRA"`: a reference a known variable holds stands for words too.
    const held = w.via && !w.opaque ? /^\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)(?:\[[@*]\])?\})$/.exec(w.text) : null;
    const opaque = w.opaque ?? (held ? { variable: held[1] ?? held[2] } : undefined);
    if (opaque) arg.opaque = { variable: opaque.variable, ...(opaque.words ? { flags: flagsAmong(opaque.words) } : {}) };
    // `key=value` (a Hydra override): where the key and the value are written, when they are.
    if (w.eq !== undefined && w.eq > w.start && w.eq < w.end && w.text.includes('=')) {
      arg.assignment = {
        keyRange: this.range(w.start, w.eq),
        valueRange: w.valueAt ? this.range(...w.valueAt) : this.range(w.eq + 1, w.end),
      };
    }
    return arg;
  }
}

/** The flags among some words (`--lr=1` is `--lr`). */
function flagsAmong(words: readonly string[]): string[] {
  return [...new Set(words.filter(isFlag).map((w) => (w.indexOf('=') > 0 ? w.slice(0, w.indexOf('=')) : w)))];
}

/**
 * A command read in another script, placed at the command of this script that runs it: every range is
 * `at`, and no value has a literal range (its text is in the other file: nothing here to edit).
 */
function atCall<T>(value: T, at: Range): T {
  if (Array.isArray(value)) return value.map((v) => atCall(v, at)) as T;
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.line === 'number' && typeof v.column === 'number' && typeof v.endLine === 'number' && typeof v.endColumn === 'number') return { ...at } as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'valueRange' || 'keyRange' in v) out[k] = atCall(x, at);
  return out as T;
}

/** `tools/dist_train.sh` → `tools/train.py`: a file next to a wrapper script. */
function siblingOf(wrapper: string, name: string): string {
  return wrapper.slice(0, wrapper.lastIndexOf('/') + 1) + name;
}

/** Where a `$( … )` or backtick substitution at `src[i]` ends (quote-aware, nested parentheses), or -1 when it does not. */
function substitutionEnd(src: string, i: number): number {
  let end = -1;
  if (src[i] === '`') {
    let j = i + 1;
    while (j < src.length && src[j] !== '`') j += src[j] === '\\' ? 2 : 1;
    if (j < src.length) end = j + 1;
  } else {
    let depth = 0;
    let q = '';
    for (let j = i + 1; j < src.length; j++) {
      const ch = src[j];
      if (q) {
        if (ch === q) q = '';
        else if (ch === '\\' && q === '"') j++;
      } else if (ch === '\\') j++;
      else if (ch === "'" || ch === '"') q = ch;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) {
        end = j + 1;
        break;
      }
    }
  }
  return end;
}

/** End of the raw word starting at `i`: the first unquoted blank or operator character. */
function rawWordEnd(s: string, i: number): number {
  let q = '';
  for (; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = '';
      else if (c === '\\' && q === '"') i++;
    } else if (c === '\\') i++;
    else if (c === '"' || c === "'") q = c;
    else if (/\s/.test(c) || OPERATOR_CHARS.includes(c)) break;
  }
  return Math.min(i, s.length);
}

/**
 * Cuts a statement's tokens into simple commands and the control operators between them. Redirections
 * (`> log 2>&1`) are dropped, `NAME=( … )` becomes one token holding the elements, and the `()` of a
 * function definition (`train() {`) one operator.
 */
function pieces(tokens: Token[], text: string): Piece[] {
  const out: Piece[] = [];
  let seg: Token[] = [];
  const cut = (): void => {
    if (seg.length) out.push({ words: seg });
    seg = [];
  };
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j];
    const prev = seg[seg.length - 1];
    if (!t.op) {
      seg.push(t);
    } else if (t.op === '(' && prev && prev.to === t.from && /^[A-Za-z_]\w*\+?=$/.test(text.slice(prev.from, prev.to))) {
      prev.elems = [];
      for (j++; j < tokens.length && tokens[j].op !== ')'; j++) if (!tokens[j].op) prev.elems.push(tokens[j]);
      prev.end = tokens[Math.min(j, tokens.length - 1)].to;
    } else if (REDIRECTS.has(t.op)) {
      if (prev && prev.to === t.from && /^\d+$/.test(prev.tok)) seg.pop(); // the `2` of `2>&1`
      if (tokens[j + 1] && !tokens[j + 1].op) j++; // the file (or heredoc delimiter)
    } else if (t.op === '(' && tokens[j + 1]?.op === ')' && seg.length === 1 && /^\s*$/.test(text.slice(t.to, tokens[j + 1].from))) {
      cut();
      out.push({ op: '()', token: t });
      j++;
    } else {
      cut();
      out.push({ op: t.op, token: t });
    }
  }
  cut();
  return out;
}

/** A word that may change variables: an assignment, a builtin that assigns, or a compound command's reserved word. */
const MAY_ASSIGN = /^(?:[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=|(?:export|declare|local|readonly|typeset|read|readarray|mapfile|unset|eval|let|source|\.|if|case|for|select|while|until|\{|\(|function)$)/;

/**
 * The variables after one of several ways through the script: a variable keeps its value when every way
 * gives it the same one, is unset when none sets it, and is otherwise unknown.
 */
function mergeVars(states: readonly Vars[]): Vars {
  if (states.length === 1) return states[0];
  const out: Vars = new Map();
  for (const state of states) {
    for (const name of state.keys()) {
      if (out.has(name)) continue;
      const first = states[0].get(name);
      const same = first !== undefined && !first.unknown && states.every((s) => {
        const r = s.get(name);
        return r !== undefined && !r.unknown && r.value === first.value && r.array === first.array;
      });
      out.set(name, same ? first : (commonStart(states.map((st) => st.get(name))) ?? UNKNOWN));
    }
  }
  return out;
}

/** A reference written unquoted as a whole word (`$ARGS`, `${ARGS}`, `${ARGS[*]}`): its value is word-split. */
const UNQUOTED_REF = /^\$(?:\w+|\{[^'"]*\})$/;

/** A word may stand for others (`$EXTRA`, a command substitution): the words after it cannot be listed. */
const HIDES_WORDS = /[$`]/;

/**
 * A variable every way through starts with the same words (one branch appended to it): those words stay
 * known, and the rest of any way through is its possible tail. Undefined when some way leaves it unset or
 * wholly unknown, or the ways share no first word.
 */
function commonStart(records: readonly (VarRecord | undefined)[]): VarRecord | undefined {
  const known = records.filter((r): r is VarRecord => r !== undefined && (!r.unknown || r.partial !== undefined));
  if (known.length !== records.length || known.length === 0) return undefined;
  const array = known[0].array;
  if (known.some((r) => r.array !== array)) return undefined;
  let n = Math.min(...known.map((r) => r.words.length));
  for (let i = 0; i < n; i++) {
    if (known.some((r) => r.words[i].text !== known[0].words[i].text)) n = i;
  }
  if (n === 0) return undefined;
  // Each word where it is written in its own assignment: the way that has it as literal text.
  const words = known[0].words.slice(0, n).map((w, i) => known.map((r) => r.words[i]).find((x) => x.start !== undefined && x.end !== undefined && x.end - x.start === x.text.length) ?? w);
  let tail: string[] | undefined = [];
  for (const r of known) {
    const more = r.words.slice(n).map((w) => w.text);
    if (r.partial && !r.partial.tail) tail = undefined;
    else if (tail) tail.push(...more, ...(r.partial?.tail ?? []));
  }
  if (tail?.some((w) => HIDES_WORDS.test(w))) tail = undefined;
  return { value: words.map((w) => w.text).join(' '), words, array, unknown: true, partial: tail ? { tail: [...new Set(tail)] } : {} };
}

/** A character of a re-expanded value: `raw` is its range in the raw text (a reference's whole range for what it gives). */
interface RawChar {
  ch: string;
  raw: [number, number];
  /** Written as itself (not given by a reference). */
  literal?: boolean;
  /** The source range of the located variable word it came from. */
  word?: [number, number];
}

/**
 * Expands the raw text of an assigned value (quotes, backslashes, `$NAME` and `${…}` references) one character
 * at a time, keeping where each one comes from. Undefined for a form it does not follow (an unclosed `${`).
 */
function expandRaw(raw: string, resolve: (key: string) => Expansion): RawChar[] | undefined {
  const out: RawChar[] = [];
  let quote = '';
  const literal = (i: number): void => {
    out.push({ ch: raw[i], raw: [i, i + 1], literal: true });
  };
  for (let i = 0; i < raw.length; ) {
    const c = raw[i];
    if (quote === "'") {
      if (c === "'") quote = '';
      else literal(i);
      i++;
    } else if (c === '\\') {
      // In double quotes a backslash escapes only $ ` " \ (and a newline); elsewhere any character.
      if (quote === '"' && !'$`"\\'.includes(raw[i + 1] ?? '')) {
        literal(i);
        i++;
      } else {
        if (i + 1 < raw.length) literal(i + 1);
        i += 2;
      }
    } else if (c === '"') {
      quote = quote ? '' : '"';
      i++;
    } else if (c === "'" && !quote) {
      quote = "'";
      i++;
    } else if (c === '$' && (raw[i + 1] === '{' || /[A-Za-z_]/.test(raw[i + 1] ?? ''))) {
      let end: number;
      let key: string;
      if (raw[i + 1] === '{') {
        let depth = 0;
        end = -1;
        for (let j = i + 1; j < raw.length; j++) {
          if (raw[j] === '{') depth++;
          else if (raw[j] === '}' && --depth === 0) {
            end = j + 1;
            break;
          }
        }
        if (end < 0) return undefined;
        key = raw.slice(i + 2, end - 1);
      } else {
        end = i + 1;
        while (end < raw.length && /\w/.test(raw[end])) end++;
        key = raw.slice(i + 1, end);
      }
      const r = resolve(key);
      // The words of a located variable keep their place in its assignment.
      let cur = 0;
      const placed = new Map<number, [number, number]>();
      for (const w of r.words ?? []) {
        const at = r.text.indexOf(w.text, cur);
        if (at < 0) break;
        if (w.start !== undefined && w.end !== undefined) for (let k = at; k < at + w.text.length; k++) placed.set(k, [w.start, w.end]);
        cur = at + w.text.length;
      }
      for (let k = 0; k < r.text.length; k++) {
        const word = placed.get(k);
        out.push({ ch: r.text[k], raw: [i, end], ...(word ? { word } : {}) });
      }
      i = end;
    } else {
      literal(i);
      i++;
    }
  }
  return out;
}

/** A word split, like the shell's, except that `$( … )` (nested to any depth) and backticks stay whole. */
function splitWords(value: string): string[] {
  const out: string[] = [];
  let start = -1;
  let depth = 0;
  let tick = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (depth === 0 && !tick && /\s/.test(c)) {
      if (start >= 0) out.push(value.slice(start, i));
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === '`') tick = !tick;
    else if (tick) continue;
    else if (c === '$' && value[i + 1] === '(') {
      depth++;
      i++;
    } else if (c === '(' && depth > 0) depth++;
    else if (c === ')' && depth > 0) depth--;
  }
  if (start >= 0) {
    const last = value.slice(start);
    // An unterminated `$(` or backtick: its words are split as bash would split plain text.
    if (depth > 0 || tick) out.push(...(last.match(/\S+/g) ?? []));
    else out.push(last);
  }
  return out;
}

// ── World size and argument lookup ──────────────────────────────────────────────────────

function lastOf(args: readonly ShellArg[], flags: readonly string[]): ShellArg | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (flags.includes(args[i].flag)) return args[i];
  return undefined;
}

/** A positive integer as written, or undefined (`gpu`, `auto`, `$NGPUS`, `1:4`). */
function count(arg: ShellArg | undefined): number | undefined {
  const v = arg?.value?.trim();
  if (!v) return undefined;
  const fixed = /^(\d+):(\d+)$/.exec(v); // an elastic range `N:N` is fixed at N
  const n = fixed ? (fixed[1] === fixed[2] ? Number(fixed[1]) : NaN) : /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const said = (arg: ShellArg): string =>
  `${arg.flag} ${arg.value ?? ''}`.trim() + (arg.viaVariable?.startsWith('SLURM_') ? ` ($${arg.viaVariable} from #SBATCH)` : '');

/** The number of processes a launch command starts, when the command says so. */
export function launcherWorldSize(cmd: LaunchCommand): LauncherWorldSize | undefined {
  const opts = cmd.launcherArgs;
  const opt = (...flags: string[]): ShellArg | undefined => lastOf(opts, flags);
  // An unknown `$DIST_ARGS` among the launcher's options may set any of them; the last one written wins.
  const opaqueAfter = (arg: ShellArg | undefined): boolean => opts.some((a, i) => a.flag === '' && (!arg || i > opts.indexOf(arg)));
  const product = (a: ShellArg, b: ShellArg | undefined, defaultNote: string): LauncherWorldSize | undefined => {
    const x = count(a);
    const y = b ? count(b) : 1;
    if (x === undefined || y === undefined) return undefined;
    return { value: x * y, how: b ? `${said(a)} × ${said(b)}` : `${said(a)} (${defaultNote})`, range: a.flagRange, key: a.flag };
  };
  if (cmd.cli === MM_DIST_WRAPPER) return mmDistWorldSize(cmd);
  if (cmd.cli === MM_SLURM_WRAPPER) return mmSlurmWorldSize(cmd);
  switch (cmd.launcher) {
    case 'python':
      return { value: 1, how: 'plain python (one process)', range: cmd.range, key: 'python' };
    case 'torchrun': {
      const nproc = opt('--nproc_per_node', '--nproc-per-node', TIMM_WRAPPER);
      const nnodes = opt('--nnodes');
      if (nproc) return opaqueAfter(nproc) || opaqueAfter(nnodes) ? undefined : product(nproc, nnodes, '--nnodes not set: 1 node');
      // torchrun's default is one process per node, unless an opaque `$OPTS` may set it.
      const nodes = nnodes ? count(nnodes) : 1;
      if (nodes === undefined || opts.some((a) => a.flag === '')) return undefined;
      const how = `--nproc_per_node not set (torchrun default 1)${nnodes ? ` × ${said(nnodes)}` : ''}`;
      return { value: nodes, how, range: nnodes?.flagRange ?? cmd.range, key: nnodes?.flag ?? '--nproc_per_node' };
    }
    case 'deepspeed': {
      const include = opt('--include');
      // `$LAUNCHER_ARGS` may hold --include, --hostfile or --num_nodes: only an --include after it decides.
      if (opaqueAfter(include)) return undefined;
      if (include?.value !== undefined) {
        // `host1:0,1@host2:0,1`: count the listed GPUs; a host without slots means all of them.
        const hosts = include.value.split('@');
        const slots = hosts.map((h) => (/^[^:\s$]+:(\d+(?:,\d+)*)$/.exec(h)?.[1].split(',').length));
        if (slots.some((s) => s === undefined)) return undefined;
        const value = slots.reduce((a: number, s) => a + (s ?? 0), 0);
        return { value, how: `${said(include)} (${value} GPU${value === 1 ? '' : 's'})`, range: include.flagRange, key: include.flag };
      }
      const gpus = opt('--num_gpus', '--num-gpus');
      const nodes = opt('--num_nodes', '--num-nodes');
      // Without --num_nodes, a hostfile means "every host in it", which we cannot see.
      if (!gpus || (!nodes && opt('--hostfile'))) return undefined;
      return product(gpus, nodes, '--num_nodes not set: 1 node');
    }
    case 'accelerate': {
      const n = opt('--num_processes', '--num-processes');
      if (opaqueAfter(n)) return undefined;
      const value = count(n);
      return n && value !== undefined ? { value, how: said(n), range: n.flagRange, key: n.flag } : undefined;
    }
    case 'srun': {
      const ntasks = opt('--ntasks', '-n');
      if (ntasks) {
        if (opaqueAfter(ntasks)) return undefined;
        const value = count(ntasks);
        return value === undefined ? undefined : { value, how: said(ntasks), range: ntasks.flagRange, key: ntasks.flag };
      }
      const nodes = opt('--nodes', '-N');
      const perNode = opt('--ntasks-per-node');
      if (opaqueAfter(nodes) || opaqueAfter(perNode)) return undefined;
      if (nodes && perNode) return product(nodes, perNode, '');
      // Otherwise srun inherits the allocation's task count from the #SBATCH lines, when they give one.
      const tasks = !nodes && !perNode ? cmd.slurm?.ntasks : undefined;
      return tasks ? { value: tasks.value, how: `srun inherits ${tasks.text}`, range: tasks.range, key: '#SBATCH' } : undefined;
    }
    case 'none': {
      // llamafactory-cli and ms-swift (`swift sft`, `megatron sft`) start torchrun with NNODES × NPROC_PER_NODE from their environment.
      const env = cmd.env ?? {};
      const perNode = /^\d+$/.test(env.NPROC_PER_NODE ?? '') ? Number(env.NPROC_PER_NODE) : undefined;
      const nodes = /^\d+$/.test(env.NNODES ?? '1') ? Number(env.NNODES ?? '1') : undefined;
      const swift = /^(?:swift|megatron) (?:sft|pt|rlhf)$/.test(cmd.cli ?? '');
      // ms-swift without NPROC_PER_NODE or NNODES runs one Python process (swift/cli/main.py use_torchrun).
      if (swift && env.NPROC_PER_NODE === undefined && env.NNODES === undefined) return { value: 1, how: 'NPROC_PER_NODE and NNODES not set: ms-swift runs one process', range: cmd.range, key: 'NPROC_PER_NODE' };
      if ((cmd.cli !== 'llamafactory-cli train' && !swift) || !perNode || !nodes) return undefined;
      return { value: perNode * nodes, how: `NPROC_PER_NODE=${perNode}${env.NNODES ? ` × NNODES=${nodes}` : ' (NNODES not set: 1 node)'}`, range: cmd.range, key: 'NPROC_PER_NODE' };
    }
    default:
      return undefined;
  }
}

/** `tools/dist_train.sh CONFIG GPUS`: GPUS per node × NNODES (its environment; one node when unset). */
function mmDistWorldSize(cmd: LaunchCommand): LauncherWorldSize | undefined {
  const gpus = lastOf(cmd.launcherArgs, [MM_DIST_WRAPPER]);
  const nodes = lastOf(cmd.launcherArgs, ['NNODES']);
  const perNode = count(gpus);
  const n = nodes ? count(nodes) : 1;
  if (!gpus || perNode === undefined || n === undefined) return undefined;
  const how = `${MM_DIST_WRAPPER} GPUS ${perNode}${nodes ? ` × NNODES=${n}` : ' (NNODES not set: 1 node)'}`;
  return { value: perNode * n, how, range: gpus.flagRange, key: MM_DIST_WRAPPER };
}

/** `tools/slurm_train.sh …`: `srun --ntasks=$GPUS` (8 when unset), unless SRUN_ARGS passes its own task count. */
function mmSlurmWorldSize(cmd: LaunchCommand): LauncherWorldSize | undefined {
  const gpus = lastOf(cmd.launcherArgs, ['GPUS', MM_SLURM_WRAPPER]);
  const srunArgs = lastOf(cmd.launcherArgs, ['SRUN_ARGS'])?.value ?? '';
  const value = count(gpus);
  if (!gpus || value === undefined || /\$|(?:^|\s)(?:--ntasks\b|-n)/.test(srunArgs)) return undefined;
  const how = gpus.flag === 'GPUS' ? `GPUS=${value} (${MM_SLURM_WRAPPER} runs srun --ntasks=$GPUS)` : `GPUS not set: ${MM_SLURM_WRAPPER} runs srun --ntasks=${value}`;
  return { value, how, range: gpus.flagRange, key: gpus.flag };
}

/**
 * The last program argument spelled as any of `flags` (`argValue(cmd, '--lr', '--learning-rate')`). When an
 * opaque word after it may hold the flag again (a branch appended `--global-batch-size 32` to the array), argparse
 * may take that one instead: the value is then the opaque word as written, which no reader takes for a number.
 */
export function argValue(cmd: LaunchCommand, ...flags: string[]): ShellArg | undefined {
  const arg = lastOf(cmd.args, flags);
  if (!arg || arg.value === undefined) return arg;
  const at = cmd.args.lastIndexOf(arg);
  const again = cmd.args.slice(at + 1).find((a) => a.opaque?.flags?.some((f) => flags.includes(f)));
  return again ? { ...arg, value: again.value, viaVariable: again.opaque!.variable, valueRange: again.flagRange } : arg;
}

/**
 * The opaque word (`$EXTRA_ARGS`, `${ARGS[@]}` after a branch appended to it) that may set one of `flags` the
 * command does not write, as written; undefined when the command writes one of them or no such word may hold it.
 * The flag's value is then unknown, not the framework's default.
 */
export function flagMayBeSetBy(cmd: Pick<LaunchCommand, 'args'>, ...flags: string[]): string | undefined {
  if (lastOf(cmd.args, flags)) return undefined;
  for (let i = cmd.args.length - 1; i >= 0; i--) {
    const o = cmd.args[i].opaque;
    if (o && (!o.flags || o.flags.some((f) => flags.includes(f)))) return cmd.args[i].value;
  }
  return undefined;
}

// ── SLURM ───────────────────────────────────────────────────────────────────────────────

/** A count as sbatch takes it: `8`, `a100:8` (GPUs), `2-2` (a fixed node range); undefined otherwise. */
function sbatchCount(v: string, typed: boolean): number | undefined {
  let t = v.trim();
  if (typed) t = t.slice(t.lastIndexOf(':') + 1);
  const range = /^(\d+)-(\d+)$/.exec(t);
  const n = range ? (range[1] === range[2] ? Number(range[1]) : NaN) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** GPUs per node from `--gres=gpu:8`, `gpu:a100:4,shard:2`; bare `gpu` is one. */
function gresGpus(v: string): number | undefined {
  for (const part of v.split(',')) {
    const fields = part.trim().split(':');
    if (fields[0] !== 'gpu') continue;
    if (fields.length === 1) return 1;
    return sbatchCount(fields[fields.length - 1], false);
  }
  return undefined;
}

const SBATCH_OPTIONS: Record<string, keyof SlurmAllocation> = {
  '--nodes': 'nodes',
  '-N': 'nodes',
  '--ntasks-per-node': 'ntasksPerNode',
  '--ntasks': 'ntasks',
  '-n': 'ntasks',
  '--gpus-per-node': 'gpusPerNode',
  '--gres': 'gpusPerNode',
  '--gpus': 'gpus',
  '-G': 'gpus',
};

/**
 * The `#SBATCH` lines at the top of a batch script. sbatch reads them up to the first line that is
 * neither blank nor a comment; a later `#SBATCH` is an ordinary comment. Unknown options are skipped.
 */
export function readSbatch(src: string, lineStarts = computeLineStarts(src), commandLine?: readonly string[]): SlurmAllocation | undefined {
  const alloc: SlurmAllocation = {};
  let found = false;
  /** The allocation options in `body` (an #SBATCH line's, or sbatch's command line), at `range(start, end)` of each. */
  const read = (body: string, range: (start: number, end: number) => Range, suffix: string): void => {
    const re = /(--?[A-Za-z][\w-]*)(?:=(\S+)|\s+([^\s-]\S*))?/g;
    for (let o = re.exec(body); o; o = re.exec(body)) {
      let [flag, raw] = [o[1], o[2] ?? o[3]];
      const all = o[0].trim();
      if (/^-[A-Za-z]./.test(flag)) [flag, raw] = [flag.slice(0, 2), flag.slice(2)]; // `-N2`
      const field = Object.hasOwn(SBATCH_OPTIONS, flag) ? SBATCH_OPTIONS[flag] : undefined;
      if (!field || raw === undefined) continue;
      const value = flag === '--gres' ? gresGpus(raw) : sbatchCount(raw, field === 'gpusPerNode' || field === 'gpus');
      if (value === undefined) continue;
      alloc[field] = { value, text: all + suffix, range: range(o.index, o.index + all.length) };
      found = true;
    }
  };
  for (let at = 0; at < src.length; ) {
    const nl = src.indexOf('\n', at);
    const text = src.slice(at, nl < 0 ? src.length : nl).replace(/\r$/, '');
    const next = nl < 0 ? src.length : nl + 1;
    const trimmed = text.trim();
    if (trimmed && !trimmed.startsWith('#')) break;
    const m = /^#SBATCH\s+/.exec(text);
    if (m) {
      const offset = at + m[0].length;
      read(withoutTrailingComment(text.slice(m[0].length)), (a, b) => rangeOf(lineStarts, offset + a, offset + b), '');
    }
    at = next;
  }
  // Options on sbatch's command line override the script's #SBATCH lines: where the value they override is
  // written, else at the script's first line.
  if (commandLine?.length) {
    const fromScript = { ...alloc };
    const firstLine = src.indexOf('\n') < 0 ? src.length : src.indexOf('\n');
    read(commandLine.join(' '), () => rangeOf(lineStarts, 0, Math.max(1, firstLine)), " (sbatch's command line)");
    for (const field of Object.keys(alloc) as (keyof SlurmAllocation)[]) {
      const was = fromScript[field];
      if (was && alloc[field] !== was) alloc[field] = { ...alloc[field]!, range: was.range };
    }
  }
  if (!found) return undefined;
  if (!alloc.ntasks && alloc.nodes && alloc.ntasksPerNode && Number.isSafeInteger(alloc.nodes.value * alloc.ntasksPerNode.value)) {
    alloc.ntasks = { value: alloc.nodes.value * alloc.ntasksPerNode.value, text: `${alloc.nodes.text} × ${alloc.ntasksPerNode.text}`, range: alloc.ntasksPerNode.range };
  }
  return alloc;
}

/** The SLURM_* variables a job started with this allocation sees. */
export function slurmVariables(alloc: SlurmAllocation): [string, string][] {
  const out: [string, string][] = [];
  const put = (v: SbatchValue | undefined, ...names: string[]) => {
    if (v) for (const n of names) out.push([n, String(v.value)]);
  };
  put(alloc.nodes, 'SLURM_NNODES', 'SLURM_JOB_NUM_NODES');
  put(alloc.ntasks, 'SLURM_NTASKS', 'SLURM_NPROCS');
  put(alloc.ntasksPerNode, 'SLURM_NTASKS_PER_NODE');
  put(alloc.gpusPerNode, 'SLURM_GPUS_ON_NODE', 'SLURM_GPUS_PER_NODE');
  put(alloc.gpus, 'SLURM_GPUS');
  return out;
}

/** `--nodes=2  # two nodes` → `--nodes=2 `: cut at the first `#` that follows whitespace (one scan). */
function withoutTrailingComment(line: string): string {
  for (let i = 1; i < line.length; i++) {
    if (line[i] === '#' && /\s/.test(line[i - 1])) return line.slice(0, i - 1);
  }
  return line;
}
