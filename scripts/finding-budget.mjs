// The finding budget on the shared LLM corpus (issue #9): lints ../shared/corpus with the CLI
// bundle and compares the findings with the snapshot taken before the issue
// (scripts/finding-budget-before.json: per corpus path, each finding's rule, position, severity and
// a few numbers from its `data`; never file content).
//
// It prints, before and after: findings, files with findings and findings per such file; the
// errors left in deliberate short runs; and every finding of the snapshot that is no longer
// reported, neither at its place nor as a `related` location of a grouped finding. A removal is
// accepted only when it belongs to a documented class of false findings (REMOVED_BY_DESIGN, each
// checked against the new report); any other one is a lost problem and fails the script.
//
// Usage: npm run bundle && node scripts/finding-budget.mjs [--corpus DIR] [--write-before]
// Exit codes: 0 within budget and nothing lost, 1 otherwise; 0 with a notice when the corpus is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const corpusArg = argv.indexOf('--corpus');
const corpus = path.resolve(corpusArg >= 0 ? argv[corpusArg + 1] : path.join(repo, '..', 'shared', 'corpus'));
const snapshotPath = path.join(repo, 'scripts', 'finding-budget-before.json');
const BUDGET = 1.5;

if (!existsSync(corpus)) {
  console.log(`finding budget: SKIPPED, corpus not found at ${corpus}`);
  process.exit(0);
}
const cli = path.join(repo, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('finding budget: dist/cli.js is missing; run `npm run bundle` first');
  process.exit(2);
}

/** Lint the corpus from its root, so report paths are corpus-relative. */
function lintCorpus() {
  const r = spawnSync(process.execPath, [cli, '.', '--format', 'json', '--no-baseline', '--fail-on', 'never'], {
    cwd: corpus,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`trainlint failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A finding as the snapshot keeps it: [ruleId, line, column, severity, numbers]. */
function compact(f) {
  const d = {};
  for (const k of ['kind', 'fraction', 'max']) if (f.data && f.data[k] !== undefined) d[k] = f.data[k];
  return [f.ruleId, f.line, f.column, f.severity, d];
}

function snapshotOf(report) {
  const files = {};
  for (const f of report.findings) (files[f.path] ??= []).push(compact(f));
  return { tool: report.tool.version, linted: report.files.length, files };
}

function stats(files) {
  const paths = Object.keys(files).filter((p) => files[p].length > 0);
  const findings = paths.reduce((n, p) => n + files[p].length, 0);
  return { findings, files: paths.length, perFile: paths.length ? findings / paths.length : 0 };
}

function byRule(files) {
  const out = {};
  for (const list of Object.values(files)) for (const [rule] of list) out[rule] = (out[rule] ?? 0) + 1;
  return out;
}

const report = lintCorpus();
const after = snapshotOf(report);
if (argv.includes('--write-before')) {
  writeFileSync(snapshotPath, `${JSON.stringify(after)}\n`);
  console.log(`finding budget: wrote ${path.relative(repo, snapshotPath)} (${stats(after.files).findings} findings)`);
  process.exit(0);
}
const before = JSON.parse(readFileSync(snapshotPath, 'utf8'));

// ── Where each old finding went ──────────────────────────────────────────────────────────
const reportFile = new Map(report.files.map((f) => [f.path, f]));
const shownAt = new Set();
for (const f of report.findings) {
  shownAt.add(`${f.path}:${f.line}`);
  for (const r of f.related ?? []) shownAt.add(`${r.path}:${r.line}`);
}
const percent = (x, digits = 1) => `${(x * 100).toFixed(digits).replace(/\.?0+$/, '')}%`;
const corpusText = (p) => readFileSync(path.join(corpus, p), 'utf8');

/** Classes of false findings this issue removes on purpose, each checked against the new report. */
const REMOVED_BY_DESIGN = [
  {
    why: 'near-threshold: the share prints as the limit itself (compared at the printed precision)',
    test: (p, [rule, , , , d]) => rule === 'warmup-fraction' && d.fraction !== undefined && percent(d.fraction) === percent(d.max),
  },
  {
    why: 'feature switch: evaluation is off (e.g. Megatron --eval-iters 0), so no eval interval is read',
    test: (p, [rule, , , , d]) => rule === 'interval-exceeds-training' && d.kind === 'evaluation' && !reportFile.get(p)?.plan?.evalEverySteps,
  },
  {
    why: 'feature switch: checkpointing is off, so no save interval is read',
    test: (p, [rule, , , , d]) => rule === 'interval-exceeds-training' && d.kind === 'checkpoint' && !reportFile.get(p)?.plan?.saveEverySteps,
  },
  {
    // Issue #10: a value whose feature the same config switches off (GPT-NeoX/Megatron constant decay style
    // next to a decay horizon) is not reported at all; the info-level "disabled by a switch" conflict went.
    why: 'feature switched off in the same config: not reported (the former disabled-by-switch info)',
    test: (p, [rule, , , severity, d]) => rule === 'conflicting-settings' && severity === 'info' && d.kind === 'disabled-by-switch',
  },
  {
    why: 'handed on as text: MODEL_ARGS values reach their parser as written, not PyYAML-typed',
    test: (p, [rule]) => rule === 'yaml11-ambiguous-scalar' && /^MODEL_ARGS:/m.test(corpusText(p)),
  },
];

const lost = [];
const byDesign = new Map();
for (const [p, list] of Object.entries(before.files)) {
  for (const finding of list) {
    if (shownAt.has(`${p}:${finding[1]}`)) continue;
    const reason = REMOVED_BY_DESIGN.find((r) => r.test(p, finding));
    if (reason) byDesign.set(reason.why, [...(byDesign.get(reason.why) ?? []), `${p}:${finding[1]} ${finding[0]}`]);
    else lost.push(`${p}:${finding[1]}:${finding[2]} ${finding[0]} (${finding[3]})`);
  }
}

// ── Errors left in deliberate short runs ─────────────────────────────────────────────────
const shortRunFiles = new Set(report.findings.filter((f) => f.data?.shortRun).map((f) => f.path));
const shortRunErrors = report.findings.filter((f) => shortRunFiles.has(f.path) && f.severity === 'error');
/** Rules about run length: in a short run they stay errors only when the framework refuses to start. */
const LENGTH_RULES = new Set(['warmup-exceeds-training', 'warmup-fraction', 'decay-horizon-mismatch', 'interval-exceeds-training']);
const wrongErrors = shortRunErrors.filter((f) => LENGTH_RULES.has(f.ruleId) && !f.data?.launchRejects);

// ── Print ────────────────────────────────────────────────────────────────────────────────
const b = stats(before.files);
const a = stats(after.files);
const line = (label, s) => `${label.padEnd(7)} ${String(s.findings).padStart(5)} findings in ${String(s.files).padStart(4)} files: ${s.perFile.toFixed(2)} per file with findings`;
console.log(`finding budget on ${corpus} (${report.files.length} files linted)`);
console.log(line('before', b));
console.log(line('after', a));
const rules = [...new Set([...Object.keys(byRule(before.files)), ...Object.keys(byRule(after.files))])].sort();
const br = byRule(before.files);
const ar = byRule(after.files);
for (const r of rules) console.log(`  ${r.padEnd(28)} ${String(br[r] ?? 0).padStart(5)} → ${String(ar[r] ?? 0).padStart(5)}`);
console.log(`\ndeliberate short runs: ${shortRunFiles.size} files, ${shortRunErrors.length} errors left in them`);
const errorRules = {};
for (const f of shortRunErrors) errorRules[f.ruleId] = (errorRules[f.ruleId] ?? 0) + 1;
for (const [r, n] of Object.entries(errorRules)) console.log(`  ${r}: ${n}`);
for (const f of wrongErrors) console.log(`  NOT A LAUNCH REJECTION: ${f.path}:${f.line}:${f.column} ${f.ruleId}`);
console.log('\nno longer reported, by design:');
if (byDesign.size === 0) console.log('  none');
for (const [why, list] of byDesign) {
  console.log(`  ${list.length} × ${why}`);
  for (const item of list.slice(0, 3)) console.log(`      ${item}`);
  if (list.length > 3) console.log(`      … and ${list.length - 3} more`);
}
console.log(`\nproblems no longer reported other than by merging: ${lost.length === 0 ? 'none' : lost.length}`);
for (const item of lost) console.log(`  ${item}`);

const ok = a.perFile <= BUDGET && lost.length === 0 && wrongErrors.length === 0;
console.log(`\n${ok ? 'OK' : 'FAILED'}: ${a.perFile.toFixed(2)} findings per file with findings (budget ${BUDGET})`);
process.exit(ok ? 0 : 1);
