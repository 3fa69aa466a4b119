/** Command-line parsing for `trainlint`. Unknown flags are usage errors (exit 2). */
import { parseArgs } from 'node:util';
import { UsageError } from '../config/errors.js';
import type { RuleSetting } from '../config/types.js';
import { RULES_BY_ID } from '../rules/index.js';

export type FailOn = 'error' | 'warning' | 'never';
export const FORMATS = ['stylish', 'json', 'github', 'sarif', 'markdown', 'junit', 'gitlab'] as const;
export type CliFormat = (typeof FORMATS)[number];

export interface CliArgs {
  command: 'lint' | 'plan' | 'rules' | 'help' | 'version';
  paths: string[];
  base?: string;
  format: CliFormat;
  config?: string;
  failOn: FailOn;
  rules: Record<string, RuleSetting>;
  output?: string;
  color?: boolean;
  debug: boolean;
  fix: boolean;
  fixDryRun: boolean;
  updateBaseline: boolean;
  baseline?: string;
  noBaseline: boolean;
  /** `--stdin`: lint the text on standard input (an editor's unsaved buffer). */
  stdin: boolean;
  /** `--stdin-filename PATH`: lint it as if it were at PATH (dialect, overrides, references, scripts). */
  stdinFilename?: string;
  /** `plan --chart FILE`: write the LR schedule as a standalone SVG. */
  chart?: string;
  /** `--jobs N`: lint workers (1: none; default: up to 4 for large runs on 3 cores or more). */
  jobs?: number;
}

const SEVERITIES = new Set(['off', 'info', 'warning', 'error']);

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        base: { type: 'string' },
        format: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        'fail-on': { type: 'string' },
        rule: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        debug: { type: 'boolean' },
        fix: { type: 'boolean' },
        'fix-dry-run': { type: 'boolean' },
        'update-baseline': { type: 'boolean' },
        baseline: { type: 'string' },
        'no-baseline': { type: 'boolean' },
        stdin: { type: 'boolean' },
        'stdin-filename': { type: 'string' },
        chart: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  let command: CliArgs['command'] = 'lint';
  let paths = positionals;
  if (positionals[0] === 'plan' || positionals[0] === 'rules') {
    command = positionals[0];
    paths = positionals.slice(1);
  }
  if (values.help) command = 'help';
  else if (values.version) command = 'version';
  if (command === 'plan' && paths.length !== 1) throw new UsageError('usage: trainlint plan FILE');

  const format = (values.format ?? 'stylish') as CliFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${values.format}")`);
  const failOn = (values['fail-on'] ?? 'error') as FailOn;
  if (!['error', 'warning', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning or never (got "${failOn}")`);
  if (values.base !== undefined && (values.base === '' || values.base.startsWith('-'))) throw new UsageError(`--base needs a git revision (got "${values.base}")`);

  if (values['stdin-filename'] !== undefined && !values.stdin) throw new UsageError('--stdin-filename needs --stdin');
  if (values.stdin) {
    if (command !== 'lint') throw new UsageError(`--stdin lints standard input; it does not apply to \`trainlint ${command}\``);
    if (paths.length > 0) throw new UsageError(`--stdin takes no paths (got "${paths[0]}"); name the file with --stdin-filename PATH`);
    if (values.fix || values['update-baseline']) throw new UsageError(`--stdin cannot be combined with ${values.fix ? '--fix' : '--update-baseline'}: nothing is written; use --fix-dry-run to see the fixes`);
    if (values['stdin-filename'] === '') throw new UsageError('--stdin-filename needs a path');
  }
  // A dry run's output is a unified diff: no report format applies to it (-o writes the diff to a file).
  if (values['fix-dry-run'] && values.format !== undefined && values.format !== 'stylish')
    throw new UsageError(`--fix-dry-run prints the fixes as a unified diff; --format ${values.format} does not apply to it (lint without --fix-dry-run for a ${values.format} report)`);
  if (values.chart !== undefined && command !== 'plan') throw new UsageError('--chart applies to `trainlint plan FILE`');
  if (values.chart === '') throw new UsageError('--chart needs a file name');

  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    if (!/^[1-9][0-9]{0,2}$/.test(values.jobs)) throw new UsageError(`--jobs needs a number of workers from 1 to 999 (got "${values.jobs}")`);
    jobs = Number(values.jobs);
  }

  const rules: Record<string, RuleSetting> = {};
  for (const spec of values.rule ?? []) {
    const m = /^([a-z0-9-]+)=(\w+)$/.exec(spec);
    if (!m) throw new UsageError(`--rule expects ID=SEVERITY (got "${spec}")`);
    if (!RULES_BY_ID.has(m[1])) throw new UsageError(`--rule: unknown rule "${m[1]}" (run \`trainlint rules\`)`);
    if (!SEVERITIES.has(m[2])) throw new UsageError(`--rule ${m[1]}: severity must be off, info, warning or error (got "${m[2]}")`);
    rules[m[1]] = m[2] as RuleSetting;
  }
  return {
    command,
    paths,
    base: values.base,
    format,
    config: values.config,
    failOn,
    rules,
    output: values.output,
    color: values['no-color'] ? false : values.color,
    debug: values.debug ?? false,
    fix: values.fix ?? false,
    fixDryRun: values['fix-dry-run'] ?? false,
    updateBaseline: values['update-baseline'] ?? false,
    baseline: values.baseline,
    noBaseline: values['no-baseline'] ?? false,
    stdin: values.stdin ?? false,
    stdinFilename: values['stdin-filename'],
    chart: values.chart,
    ...(jobs !== undefined ? { jobs } : {}),
  };
}

export const HELP = `trainlint — lint ML training configs before launch

Usage:
  trainlint [paths…] [options]      lint files, folders or globs (default: the config's files, else .)
  trainlint plan FILE [--base REF] [--chart out.svg]
                                     print the resolved training plan of one config (and its LR
                                     schedule as an SVG chart)
  trainlint rules                    list the rules
  trainlint init [--dry-run]         write a commented .trainlint.yml and a GitHub workflow for
                                     this repository (never overwrites a file)
  trainlint rescale FILE (--global-batch N | --micro-batch N | --world-size N) [--rule linear|sqrt] [--dry-run]
                                     port a config to another batch: LR, warmup, steps and
                                     intervals rewritten in place, each change explained
  trainlint exec [--dry-run] [options] [--] <launch command…>
                                     lint a launch command and the configs it names; run it
                                     only when nothing reaches --fail-on

Options:
  --base REF                compare each config with its version at git REF
  -f, --format FORMAT       stylish (default), json, github, sarif, markdown, junit, gitlab
  -c, --config FILE         configuration file (default: .trainlint.yml)
  --fail-on LEVEL           error (default), warning, never
  --rule ID=SEVERITY        override a rule: off, info, warning, error (repeatable)
  -o, --output FILE         write the report to FILE instead of stdout
  --color / --no-color      force colour on or off (default: on for a terminal)
  --fix                     rewrite fixable findings in place (values only; comments and layout kept)
  --fix-dry-run             print the fixes as a unified diff without writing (-o FILE writes
                            the diff there; --format does not apply); exit code as without it
  --update-baseline         record the current findings in .trainlint-baseline.json
  --baseline FILE           baseline file (default .trainlint-baseline.json, used when present)
  --no-baseline             ignore the baseline
  --stdin                   lint standard input (editors); with --stdin-filename PATH it is
                            linted as if it were at PATH
  -j, --jobs N              lint workers: 1 for none (default: one per core up to 4, from
                            400 files on and 3 cores); the output is the same whatever the number
  --debug                   print stack traces of internal errors
  -h, --help                this help
  -v, --version             the version

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config error or internal failure.
`;
