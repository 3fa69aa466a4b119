/**
 * Runs one fuzz input through the CLI in-process and checks the properties of issue #14:
 * never an internal error or a stack trace; the JSON report is valid and names every input file;
 * the good config's finding survives next to the bad files; nothing ran (the marker file does not
 * exist). Config-level inputs may instead end in a one-line usage error (exit 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { runCli } from '../../src/cli/main';
import type { Report } from '../../src/engine/report-types';
import reportSchema from '../../schemas/report.schema.json';
import type { FuzzInput } from './arbitraries';

/** A good HF config with one known finding (warmup-fraction), written next to every input. */
export const GOOD = 'per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nlearning_rate: 2.0e-5\nlr_scheduler_type: cosine\nmax_steps: 1000\nwarmup_steps: 400\n';

const validateReport = new Ajv2020({ allErrors: true, strict: false }).compile(reportSchema);

export interface Verdict {
  kind: string;
  bytes: number;
  ms: number;
  /** An internal error, a stack trace, an unexpected exit code or an invalid report. */
  crash?: string;
  /** The good file's finding is missing, or an input file is not in the report. */
  lost?: string;
  /** The marker file exists: something from the input was executed. */
  executed?: boolean;
}

const CONFIG_FILE = /\.(ya?ml|json|toml|sh|bash)$/i;
/** JavaScript engine errors (a framework's own "TypeError" named in a message is not one). */
const ENGINE_STRINGS = /Maximum call stack|Invalid string length|\b(?:RangeError|TypeError|ReferenceError)\b(?!\))|Cannot read propert|is not a function|at .+\.(?:js|ts):\d+/;

function written(files: FuzzInput['files']): string[] {
  return Object.keys(files).filter((p) => p !== '.trainlint.yml' && (CONFIG_FILE.test(p) || /(^|\/)configs?\/[^/]+\.py$/.test(p)));
}

export async function checkInput(input: FuzzInput, markerPath: string): Promise<Verdict> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fuzz-')));
  let bytes = 0;
  try {
    for (const [rel, content] of Object.entries({ ...input.files, 'good.yaml': GOOD })) {
      const abs = path.join(dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
      bytes += typeof content === 'string' ? Buffer.byteLength(content) : (content as Uint8Array).length;
    }
    let stdout = '';
    let stderr = '';
    const started = Date.now();
    const code = await runCli(['--format', 'json', '--no-baseline'], {
      cwd: dir,
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      isTTY: false,
      run: async () => 99,
    });
    const verdict: Verdict = { kind: input.kind, bytes, ms: Date.now() - started };
    if (fs.existsSync(markerPath)) verdict.executed = true;
    if (/internal error|\n\s+at /.test(stderr) || ENGINE_STRINGS.test(stderr)) verdict.crash = `stderr: ${stderr.slice(0, 300)}`;
    if (code === 2) {
      if (!input.configLevel || !/^trainlint: [^\n]*\n(?:[^\n]*\n)*$/.test(stderr)) verdict.crash ??= `exit 2: ${stderr.slice(0, 300)}`;
      return verdict;
    }
    if (code !== 0 && code !== 1) {
      verdict.crash ??= `exit ${code}`;
      return verdict;
    }
    let report: Report;
    try {
      report = JSON.parse(stdout) as Report;
    } catch {
      verdict.crash ??= 'the report is not JSON';
      return verdict;
    }
    if (!validateReport(report)) verdict.crash ??= `invalid report: ${JSON.stringify(validateReport.errors?.[0])}`;
    const internal = report.findings.find((f) => f.ruleId === 'internal-error' || ENGINE_STRINGS.test(f.message));
    if (internal) verdict.crash ??= `${internal.path}: ${internal.message.slice(0, 300)}`;
    // A config-level input may leave good.yaml out (`files:`, `ignore:`); when linted, its finding is there.
    const goodLinted = !input.configLevel || report.files.some((f) => f.path === 'good.yaml');
    const good = report.findings.filter((f) => f.path === 'good.yaml').map((f) => f.ruleId);
    if (goodLinted && good.join() !== 'warmup-fraction') verdict.lost = `good.yaml: ${good.join(', ') || 'no finding'}`;
    const named = new Set(report.files.map((f) => f.path));
    const missing = input.configLevel ? [] : written(input.files).filter((p) => !named.has(p));
    if (missing.length > 0) verdict.lost ??= `not in the report: ${missing.map((p) => JSON.stringify(p)).join(', ')}`;
    return verdict;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
