/**
 * `trainlint exec [options] [--] <launch command…>`: lints the command line itself and the
 * config files it names, with the launcher's world size applied to them, then runs the
 * command (same argv, inherited stdio, exit code passed through) only when nothing reaches
 * the fail level. `--dry-run` lints only. The command is run by us, never the linted configs.
 */
import { spawn } from 'node:child_process';
import { quote } from 'shell-quote';
import { UsageError } from '../config/errors.js';
import type { RuleSetting } from '../config/types.js';
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { loadFile, parseSource } from '../engine/load-file.js';
import { accelerateLink, type LinkedPlan } from '../engine/links.js';
import { checkRepoPath, repoRootOf } from '../engine/repo-files.js';
import type { Setting } from '../engine/types.js';
import type { FailOn } from './args.js';
import { FORMATS, type CliFormat } from './args.js';

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

const CONFIG_FLAGS = new Set(['--config', '--config-file', '--config_file', '--cfg', '--deepspeed', '--deepspeed_config', '--deepspeed-config', '--yaml', '--yaml_config']);
/** Config files a command may name; `.py` only under config/ or configs/ (nanoGPT), never the script. */
const CONFIG_EXT = /\.(ya?ml|json|toml)$|(?:^|\/)configs?\/[^/]+\.py$/i;

/** Config files the command names: `--config x.yaml`, `--deepspeed ds.json`, positional `*.yaml`. */
export function namedConfigs(cmd: LaunchCommand | undefined, command: string[], cwd: string): string[] {
  const candidates: string[] = [];
  if (cmd) {
    for (const arg of cmd.args) {
      if (arg.value === undefined) continue;
      if ((arg.flag === '' && CONFIG_EXT.test(arg.value)) || (CONFIG_FLAGS.has(arg.flag) && CONFIG_EXT.test(arg.value))) candidates.push(arg.value);
    }
  } else {
    candidates.push(...command.slice(1).filter((t) => CONFIG_EXT.test(t) && !t.startsWith('-')));
  }
  const found: string[] = [];
  const repo = repoRootOf(cwd);
  for (const candidate of candidates) {
    // Through the engine's resolver: inside the folder trainlint runs in, a regular file.
    const check = checkRepoPath(repo, candidate);
    if (!check.ok) {
      if (check.refusal === 'missing') throw new UsageError(`exec: config named on the command line not found: ${candidate}`);
      throw new UsageError(`exec: ${candidate}: ${check.why}; not read`);
    }
    if (!found.includes(check.rel)) found.push(check.rel);
  }
  return found;
}

/** `accelerate launch --config_file X`: the accelerate config, read as a linked plan. */
export function accelerateLinks(cmd: LaunchCommand | undefined, cwd: string): LinkedPlan[] {
  if (cmd?.launcher !== 'accelerate') return [];
  const arg = [...cmd.launcherArgs].reverse().find((a) => a.flag === '--config_file' || a.flag === '--config-file');
  if (!arg?.value) return [];
  const check = checkRepoPath(repoRootOf(cwd), arg.value);
  if (!check.ok) {
    if (check.refusal === 'missing') throw new UsageError(`exec: accelerate config not found: ${arg.value}`);
    throw new UsageError(`exec: ${arg.value}: ${check.why}; not read`);
  }
  return [accelerateLink(loadFile(check.abs, check.rel), arg.value, arg.flagRange)];
}

/** The command line as an in-memory launch script, plus what the launcher tells the configs. */
export function commandLineFile(command: string[]) {
  const file = parseSource(COMMAND_LINE_PATH, quote(command) + '\n', {}, 'shell');
  const cmd = file.script?.commands[0];
  const launcher: Partial<Record<'worldSize', Setting<number>>> = {};
  const world = cmd ? launcherWorldSize(cmd) : undefined;
  if (world) {
    launcher.worldSize = { value: world.value, origin: 'launcher', file: COMMAND_LINE_PATH, key: world.key, how: world.how, note: 'from the launch command' };
  }
  return { file, cmd, launcher };
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
