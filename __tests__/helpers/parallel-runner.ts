/**
 * Run by __tests__/parallel.test.ts, bundled with esbuild (the bundle is also its own lint-worker
 * script, as dist/cli.js is): lints each folder named on the command line serially (`jobs: 1`) and
 * with lint workers (`jobs` 2 and 4, so batches of one file spread over the threads; with 2 the
 * workers print the JSON report's parts; with 3, the results are kept deflated as in a run of
 * 20,000 files or more), renders every
 * report format, and prints one line per difference, then `N runs, M differences`.
 *
 *   node parallel-runner.mjs [--fail-workers] DIR...
 *
 * `--fail-workers`: the workers' script is a file that throws when loaded, so every batch comes
 * back to the main thread; the output must still be the serial one.
 * `--objects-up-to N`: runs of more than N files keep N/2 results as objects and spool the rest
 * (`tuning.objectsUpTo`), workers' results too; prints `spooled: M` (results of the runs with
 * workers that were spooled) before the counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readConfig } from '../../src/config/load-config';
import { buildReport, reportParts, reportPlan } from '../../src/engine/build-report';
import { lint, runPlanOf, type FileResult } from '../../src/engine/lint';
import { FinishedResult } from '../../src/engine/parallel/finished';
import { poolStats, setLintWorkerScript, tuning } from '../../src/engine/parallel/pool';
import { runLintWorkerIfAny } from '../../src/engine/parallel/worker';
import { FORMAT_NAMES, formatReport } from '../../src/report/index';
import { writeJson } from '../../src/report/json';

function render(results: FileResult[]): Map<string, string> {
  const report = buildReport(results);
  const sources = new Map(results.map((r) => [r.file.path, r.file.text]));
  // The markdown format's plans base → head, as the CLI gives them.
  const changes = results
    .filter((r) => r.extraction && r.reference)
    .map((r) => ({ path: r.file.path, head: reportPlan(runPlanOf(r)), base: reportPlan(r.reference!.plan), baseLabel: r.reference!.label }));
  const out = new Map<string, string>();
  for (const format of FORMAT_NAMES) out.set(format, formatReport(format, report, { color: false, sources, changes }));
  // The CLI's json output, written piece by piece, and the other formats from a paths-only report.
  const pieces: Buffer[] = [];
  writeJson(reportParts(results), (piece) => pieces.push(Buffer.from(piece)));
  out.set('json written in pieces', Buffer.concat(pieces).toString('utf8'));
  const light = buildReport(results, { files: 'paths' });
  for (const format of FORMAT_NAMES) if (format !== 'json') out.set(`${format} from paths`, formatReport(format, light, { color: false, sources, changes }));
  return out;
}

async function main(argv: string[]): Promise<void> {
  const failWorkers = argv[0] === '--fail-workers';
  const objectsUpTo = argv[0] === '--objects-up-to' ? Number(argv[1]) : undefined;
  const dirs = failWorkers ? argv.slice(1) : objectsUpTo !== undefined ? argv.slice(2) : argv;
  if (objectsUpTo !== undefined) {
    tuning.objectsUpTo = objectsUpTo;
    tuning.objectsInLargerRuns = Math.floor(objectsUpTo / 2);
  }
  let spooled = 0;
  let scratch: string | undefined;
  if (failWorkers) {
    scratch = mkdtempSync(path.join(tmpdir(), 'trainlint-bad-worker-'));
    const bad = path.join(scratch, 'bad-worker.mjs');
    writeFileSync(bad, "throw new Error('this worker cannot start');\n");
    setLintWorkerScript(bad);
  }
  let runs = 0;
  const differences: string[] = [];
  try {
    for (const dir of dirs) {
      const { config } = readConfig(dir);
      const serial = render((await lint({ root: dir, paths: [], config, jobs: 1 })).results);
      for (const jobs of failWorkers ? [3] : [2, 4, 3]) {
        tuning.compressFromFiles = jobs === 3 ? 0 : 20_000;
        const parallelResults = (await lint({ root: dir, paths: [], config, jobs, renderJson: jobs === 2 })).results;
        spooled += parallelResults.filter((r) => r instanceof FinishedResult && r.spooled).length;
        const parallel = render(parallelResults);
        runs++;
        for (const [format, text] of serial) {
          if (parallel.get(format) !== text) differences.push(`${dir}: --jobs ${jobs} ${format} differs from --jobs 1`);
        }
        // What the CLI writes is what the report says.
        for (const [a, b] of [...FORMAT_NAMES.map((f) => [f, `${f} from paths`]), ['json', 'json written in pieces']]) {
          if (parallel.has(b) && parallel.get(a) !== parallel.get(b)) differences.push(`${dir}: --jobs ${jobs} ${b} differs from ${a}`);
          if (serial.has(b) && serial.get(a) !== serial.get(b) && jobs === 2) differences.push(`${dir}: --jobs 1 ${b} differs from ${a}`);
        }
      }
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  for (const d of differences) console.log(d);
  console.log(`${runs} runs, ${differences.length} differences`);
  if (objectsUpTo !== undefined) console.log(`spooled: ${spooled}`);
  console.log(`workers: ${poolStats.byWorkers}, main thread: ${poolStats.here}`);
}

if (!runLintWorkerIfAny()) {
  setLintWorkerScript(new URL(import.meta.url));
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.log(`runner failed: ${(err as Error)?.stack ?? err}`);
    process.exitCode = 1;
  });
}
