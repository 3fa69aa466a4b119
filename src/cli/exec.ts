/**
 * `trainlint exec [options] [--] <launch command…>`: lints the command line itself and the
 * config files it names, with the launcher's world size applied to them, then runs the
 * command (same argv, inherited stdio, exit code passed through) only when nothing reaches
 * the fail level. `--dry-run` lints only. The command is run by us, never the linted configs.
 */
import { spawn } from 'node:child_process';
import { UsageError } from '../config/errors.js';
import type { RuleSetting } from '../config/types.js';
import { parseSource } from '../engine/load-file.js';
import { CONFIG_EXT, scriptLaunches } from '../engine/script-links.js';
import type { ScriptRun } from '../engine/script-run.js';
import { sourceReaderFor } from '../engine/script-sources.js';
import type { SourceFile } from '../engine/source.js';
import { checkRepoPath, decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import type { FailOn } from './args.js';
import { FORMATS, type CliFormat } from './args.js';

export { scriptRun, type ScriptRun } from '../engine/script-run.js';

export const COMMAND_LINE_PATH = '(command line)';

export interface ExecArgs {
  command: string[];
  dryRun: boolean;
  config?: string;
  failOn: FailOn;
  format: CliFormat;
  rules: Record<string, RuleSetting>;
  color?: boolean;
  debug: boolean;
}

const VALUE_OPTIONS = new Set(['--config', '-c', '--fail-on', '--rule', '--format', '-f']);
const SWITCHES = new Set(['--dry-run', '--color', '--no-color', '--debug']);

/** Split `exec`'s own options from the launch command (which starts at `--` or the first word). */
export function parseExecArgs(argv: string[]): ExecArgs {
  const out: ExecArgs = { command: [], dryRun: false, failOn: 'error', format: 'stylish', rules: {}, debug: false };
  let i = 0;
  const take = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`exec: ${name} needs a value`);
    return value;
  };
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      i++;
      break;
    }
    if (!token.startsWith('-')) break;
    const [name, inline] = token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (SWITCHES.has(name)) {
      if (name === '--dry-run') out.dryRun = true;
      else if (name === '--debug') out.debug = true;
      else out.color = name === '--color';
    } else if (VALUE_OPTIONS.has(name)) {
      const value = take(name, inline);
      if (name === '--config' || name === '-c') out.config = value;
      else if (name === '--fail-on') {
        if (!['error', 'warning', 'never'].includes(value)) throw new UsageError(`--fail-on must be error, warning or never (got "${value}")`);
        out.failOn = value as FailOn;
      } else if (name === '--format' || name === '-f') {
        if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${value}")`);
        out.format = value as CliFormat;
      } else {
        const m = /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(value);
        if (!m) throw new UsageError(`--rule expects ID=SEVERITY (got "${value}")`);
        out.rules[m[1]] = m[2] as RuleSetting;
      }
    } else {
      throw new UsageError(`exec: unknown option ${token} (put the launch command after --)`);
    }
  }
  out.command = argv.slice(i);
  if (out.command.length === 0) throw new UsageError('usage: trainlint exec [--dry-run] [options] [--] <launch command…>');
  return out;
}

/**
 * The config files the command names, checked to exist (a usage error otherwise): what
 * `scriptLaunches` reads from a recognised launch command, or for any other command its
 * `*.yaml`/`*.json`/`*.toml` words, linted without launcher values. For a command that runs a
 * launch script (`run`, with `file` that script): what the script's launches name, and the config
 * words among the script's arguments.
 */
export function namedConfigPaths(file: SourceFile, command: string[], cwd: string, run?: ScriptRun): string[] {
  const launches = scriptLaunches(file, '.');
  // `NAME=value` and `key=value` words (environment, Hydra overrides) are never paths.
  const configWords = (words: string[]) => words.filter((t) => CONFIG_EXT.test(t) && !t.startsWith('-') && !t.includes('='));
  const named = launches.flatMap((l) => [...l.configs.map((c) => c.written), ...(l.accelerateConfig ? [l.accelerateConfig.written] : [])]);
  // A script run: what its launches name, and the configs among its arguments (a script that uses them in a
  // way not read here still has them linted, as the command line's own words were before).
  const candidates = run ? [...named, ...configWords(run.args)] : file.script?.commands.length ? named : configWords(command.slice(1));
  const accelerate = new Set(launches.flatMap((l) => (l.accelerateConfig ? [l.accelerateConfig.written] : [])));
  const found: string[] = [];
  const repo = repoRootOf(cwd);
  for (const candidate of candidates) {
    // Through the engine's resolver: inside the folder trainlint runs in, a regular file.
    const check = checkRepoPath(repo, candidate);
    if (!check.ok) {
      const what = accelerate.has(candidate) ? 'accelerate config' : 'config named on the command line';
      if (check.refusal === 'missing') throw new UsageError(`exec: ${what} not found: ${candidate}`);
      throw new UsageError(`exec: ${candidate}: ${check.why}; not read`);
    }
    const rel = check.rel;
    // The accelerate config is read as the launch's linked plan, not linted as a training config.
    if (!found.includes(rel) && !accelerate.has(candidate)) found.push(rel);
  }
  return found;
}

/**
 * The launch script a command runs, read from the folder trainlint runs in and parsed with the
 * command's environment (its `${NGPU:-8}` is the command's NGPU): the launch `exec` lints, standing
 * at the script's path. Undefined when the script is not a readable file inside that folder (the
 * command line itself is linted then).
 */
export function scriptRunFile(run: ScriptRun, cwd: string, maxBytes: number): SourceFile | undefined {
  const repo = repoRootOf(cwd);
  const read = readRepoFile(repo, run.written, maxBytes, 'maxFileBytes');
  const text = read.ok ? decodeUtf8(read.bytes) : undefined;
  if (!read.ok || text === undefined) return undefined;
  return parseSource(read.rel, text, { environment: run.environment, positional: run.args, sbatchArgs: run.sbatchArgs, scriptSources: (rel) => sourceReaderFor(repo, rel, maxBytes) }, 'shell');
}

/** Characters a shell word may hold unquoted (no expansion, globbing, splitting or operator). */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word of the command as the user would type it: as is when the shell reads it back unchanged
 * (`--nproc_per_node=4`, `trainer.lr=1e-3`), else in single quotes (`'a b'`, `'$HOME'`), in double
 * quotes when it holds a single quote and nothing that double quotes expand (`"it's"`), else in
 * single quotes with each `'` written `'\''`.
 */
export function shellWord(word: string): string {
  if (PLAIN_WORD.test(word) && !word.startsWith('=')) return word;
  if (!word.includes("'")) return `'${word}'`;
  if (!/[\\"$`!]/.test(word)) return `"${word}"`;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** The command line as the user typed it, quoted only where the shell needs it. */
export function commandLineText(command: string[]): string {
  return command.map(shellWord).join(' ');
}

/** The command line as an in-memory launch script: the engine links the configs it names, with the launcher's values. */
export function commandLineFile(command: string[]): SourceFile {
  return parseSource(COMMAND_LINE_PATH, commandLineText(command) + '\n', {}, 'shell');
}

/** Run the launch command with inherited stdio; resolves to its exit code (128 + signal when killed). */
export function runCommand(command: string[], cwd: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd, stdio: 'inherit' });
    child.on('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(`trainlint: cannot run ${command[0]}: ${err.code ?? err.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      if (code !== null) resolve(code);
      else resolve(128 + (signal ? (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 }) as Record<string, number>)[signal] ?? 1 : 1));
    });
  });
}
