/**
 * `trainlint init [--dry-run]`: looks at the repository (the frameworks its configs are for, the
 * launch scripts and the configs they start, vendored or generated folders) and writes a commented
 * `.trainlint.yml` and `.github/workflows/trainlint.yml` (least-privilege permissions, the action
 * pinned as the README recommends). Prints what it wrote and what to check. Never overwrites a file:
 * one that exists is kept and said so.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../config/errors.js';
import { CONFIG_NAMES } from '../config/load-config.js';
import type { TrainlintConfig } from '../config/types.js';
import { TOOL_VERSION } from '../engine/build-report.js';
import { lint, runPlanOf, type FileResult } from '../engine/lint.js';
import { findRepositoryRoot } from '../engine/repository.js';
import { decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import type { CliIO } from './main.js';

export const WORKFLOW_PATH = '.github/workflows/trainlint.yml';

/** Folder names that hold vendored or generated files, not the team's configs. */
const GENERATED = [
  'third_party', 'third-party', 'thirdparty', 'vendor', 'vendored', 'external', 'externals', 'submodules',
  'build', 'dist', 'site-packages', '.venv', 'venv', 'env', '.tox', '__pycache__',
  'outputs', 'output', 'runs', 'wandb', 'mlruns', 'lightning_logs', 'checkpoints', 'ckpt', 'logs', 'tmp', '.cache',
];

export interface RepositoryFacts {
  /** dialect id → the configs it claims (root-relative). */
  frameworks: Map<string, string[]>;
  /** Launch scripts with the configs their commands start. */
  scripts: Array<{ path: string; launcher?: string; starts: string[] }>;
  /** Folders to ignore (vendored, generated, git submodules) that exist. */
  ignore: string[];
  /** Configs whose plan lacks the world size / the dataset size, and that no launch script completes. */
  missingWorld: string[];
  missingDataset: string[];
  /** Files with a training-config extension that no dialect claims. */
  unclaimed: number;
}

/** Folders named in .gitmodules (vendored code). */
function submodules(root: string): string[] {
  // Through the engine's resolver: inside the repository, a regular file, a byte limit on the read.
  const read = readRepoFile(repoRootOf(root), '.gitmodules', 256 * 1024, 'the size limit of .gitmodules');
  const text = read.ok ? decodeUtf8(read.bytes) : undefined;
  if (text === undefined) return [];
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0 || line.slice(0, eq).trim() !== 'path') continue;
    let value = line.slice(eq + 1).trim().split('\\').join('/');
    while (value.endsWith('/')) value = value.slice(0, -1);
    if (value) paths.push(value);
  }
  return paths;
}

/** Generated/vendored folders up to two levels down, as `dir/**` globs. */
function generatedFolders(root: string): string[] {
  const found = new Set<string>(submodules(root).filter((p) => existsSync(path.join(root, p))).map((p) => `${p}/**`));
  const visit = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name === '.git' || e.name === 'node_modules' || e.name === '.github') continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (GENERATED.includes(e.name.toLowerCase())) found.add(`${child}/**`);
      else if (depth < 1) visit(child, depth + 1);
    }
  };
  visit('', 0);
  return [...found].sort();
}

/** What `init` learns from a lint of the whole repository with only the ignores applied. */
export async function surveyRepository(root: string): Promise<RepositoryFacts> {
  const ignore = generatedFolders(root);
  const config: TrainlintConfig = ignore.length ? { ignore } : {};
  const { results } = await lint({ root, repoRoot: findRepositoryRoot(root), paths: [], config });
  const frameworks = new Map<string, string[]>();
  const scripts: RepositoryFacts['scripts'] = [];
  const byPath = new Map<string, FileResult[]>();
  for (const r of results) byPath.set(r.file.path, [...(byPath.get(r.file.path) ?? []), r]);
  let unclaimed = 0;
  const missingWorld: string[] = [];
  const missingDataset: string[] = [];
  for (const [p, group] of byPath) {
    const r = group[0];
    if (r.file.script) {
      if (r.dialect || r.starts?.length) scripts.push({ path: p, launcher: r.file.script.commands.find((c) => c.launcher !== 'none')?.launcher, starts: (r.starts ?? []).filter((s) => !/not found/.test(s)) });
      if (!r.dialect) continue;
    }
    if (!r.dialect) {
      if (!r.file.script && r.file.format !== 'python') unclaimed++;
      continue;
    }
    frameworks.set(r.dialect.meta.id, [...(frameworks.get(r.dialect.meta.id) ?? []), p]);
    if (r.dialect.meta.id === 'deepspeed') continue;
    const plans = group.map(runPlanOf);
    if (plans.every((plan) => !plan.worldSize && !plan.dataParallelSize)) missingWorld.push(p);
    if (plans.every((plan) => !plan.totalSteps && plan.epochs && !plan.datasetSamples)) missingDataset.push(p);
  }
  return { frameworks, scripts, ignore, missingWorld, missingDataset, unclaimed };
}

/** `configs/sft/a.yaml`, `configs/b.yaml`, `train.sh` → `configs/**`, `train.sh`. */
export function filesGlobs(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const top = p.split('/')[0];
    out.add(p.includes('/') ? `${top}/**` : p);
  }
  return [...out].sort();
}

const yamlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (items: string[], max = 3) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`);

/** The commented `.trainlint.yml`. */
export function trainlintYml(facts: RepositoryFacts): string {
  const configs = [...facts.frameworks.values()].flat();
  const files = filesGlobs([...configs, ...facts.scripts.map((s) => s.path)]);
  const found = [...facts.frameworks].map(([id, ps]) => `${ps.length} ${id} config${ps.length === 1 ? '' : 's'}`);
  if (facts.scripts.length) found.push(`${facts.scripts.length} launch script${facts.scripts.length === 1 ? '' : 's'}`);
  const out = [
    `# trainlint configuration, written by \`trainlint init\` (trainlint ${TOOL_VERSION}).`,
    '# Reference: https://github.com/trainlint/trainlint#configuration-file-trainlintyml',
    `# Found: ${found.length ? found.join(', ') : 'no training configs yet'}.`,
    '',
    '# What `trainlint` (and the GitHub Action) lints when no paths are given.',
  ];
  if (files.length) out.push('files:', ...files.map((f) => `  - ${yamlString(f)}`));
  else out.push("# files: ['configs/**', 'scripts/*.sh']");
  out.push('');
  if (facts.ignore.length) out.push('# Vendored or generated folders: not your configs.', 'ignore:', ...facts.ignore.map((g) => `  - ${yamlString(g)}`));
  else out.push("# ignore: ['third_party/**']");
  out.push(
    '',
    '# Rule severities and options (`trainlint rules` lists them), e.g.',
    '#   warmup-fraction: [error, { max: 0.1 }]',
    '#   lr-not-rescaled: [error, { scaling: sqrt }]',
    'rules: {}',
    '',
  );
  const placeholders: string[] = [];
  if (facts.missingWorld.length) {
    placeholders.push(
      `#   worldSize: 8              # GPUs per run: no launch script names ${list(facts.missingWorld)}`,
    );
  }
  if (facts.missingDataset.length) {
    placeholders.push(`#   datasetSamples: 1000000   # training samples per epoch: unknown for ${list(facts.missingDataset)}`);
  }
  if (placeholders.length) {
    out.push(
      '# Values trainlint could not find in the configs or their launch scripts. Without them the',
      '# rules that need them stay silent. Uncomment and set them (per folder: `overrides`).',
      '# assume:',
      ...placeholders,
    );
  } else {
    out.push('# Values the configs do not hold (the launch scripts gave the world size):', '# assume:', '#   worldSize: 8');
  }
  out.push(
    '',
    '# A config derived from another (compared by lr-not-rescaled and warmup-not-rescaled):',
    '# references:',
    '#   configs/h100.yaml: configs/a100.yaml',
    '',
  );
  return out.join('\n');
}

/** The GitHub workflow: least privilege, the action pinned as the README recommends. */
export function workflowYml(): string {
  return [
    '# Lints the training configs a pull request touches (written by `trainlint init`).',
    '# Pin by commit SHA: replace each @vN below with the full commit SHA of the release you',
    '# reviewed, keeping the tag as a comment, and let Dependabot (github-actions) bump them.',
    'name: trainlint',
    'on: [pull_request, merge_group, push, workflow_dispatch]',
    'permissions:',
    '  contents: read',
    'jobs:',
    '  trainlint:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v5 # pin: actions/checkout@<commit SHA> # v5.x.y',
    '        with:',
    '          persist-credentials: false',
    `      - uses: trainlint/trainlint@v1 # pin: trainlint/trainlint@<commit SHA> # v${TOOL_VERSION}`,
    '        with:',
    '          fail-on: error',
    '',
  ].join('\n');
}

export async function runInit(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new UsageError(`init: ${(err as Error).message.split('\n')[0]}`);
  }
  if (values.help) {
    io.stdout('usage: trainlint init [--dry-run]\n\nWrites a commented .trainlint.yml and .github/workflows/trainlint.yml for the repository in the\ncurrent folder, and says what to check. Never overwrites a file; --dry-run prints them instead.\n');
    return 0;
  }
  const dryRun = values['dry-run'] ?? false;
  const root = io.cwd;
  const facts = await surveyRepository(root);
  const existing = CONFIG_NAMES.find((n) => existsSync(path.join(root, n)));
  const files: Array<{ rel: string; text: string; exists: boolean }> = [
    { rel: existing ?? '.trainlint.yml', text: trainlintYml(facts), exists: existing !== undefined },
    { rel: WORKFLOW_PATH, text: workflowYml(), exists: existsSync(path.join(root, WORKFLOW_PATH)) },
  ];
  const report: string[] = [];
  const frameworks = [...facts.frameworks].map(([id, ps]) => `${id} (${ps.length})`);
  report.push(`trainlint init: ${frameworks.length ? `frameworks ${frameworks.join(', ')}` : 'no training configs found'}; ${facts.scripts.length} launch script(s)${facts.ignore.length ? `; ignoring ${facts.ignore.join(', ')}` : ''}`);
  for (const f of files) {
    if (f.exists) report.push(`  kept ${f.rel}: it exists (init never overwrites a file)`);
    else if (dryRun) report.push(`  would write ${f.rel}`);
    else {
      mkdirSync(path.dirname(path.join(root, f.rel)), { recursive: true });
      // 'wx': fail rather than overwrite a file created since the check.
      writeFileSync(path.join(root, f.rel), f.text, { flag: 'wx' });
      report.push(`  wrote ${f.rel}`);
    }
  }
  report.push('Check:');
  if (facts.missingWorld.length) report.push(`  - the world size of ${list(facts.missingWorld)}: set assume.worldSize in .trainlint.yml (commented placeholder)`);
  if (facts.missingDataset.length) report.push(`  - the dataset size of ${list(facts.missingDataset)}: set assume.datasetSamples (commented placeholder)`);
  if (facts.unclaimed) report.push(`  - ${facts.unclaimed} YAML/JSON/TOML file(s) no dialect recognised: add them to ignore, or map their keys with mappings`);
  report.push(`  - ${WORKFLOW_PATH}: pin actions/checkout and trainlint/trainlint to commit SHAs (README: "Pin by commit SHA")`);
  report.push('  - run `trainlint` (or `npx trainlint`) and review the findings before making the check required');
  io.stdout(report.join('\n') + '\n');
  if (dryRun) for (const f of files.filter((x) => !x.exists)) io.stdout(`\n--- ${f.rel} ---\n${f.text}`);
  return 0;
}
