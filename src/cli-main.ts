/** The `trainlint` command (bundled to dist/cli-main.js, loaded by src/cli.ts once the compile cache is on), and its lint workers. */
import { runCli } from './cli/main.js';
import { setLintWorkerScript } from './engine/parallel/pool.js';
import { runLintWorkerIfAny } from './engine/parallel/worker.js';

if (!runLintWorkerIfAny()) {
  // Lint workers run this same file (engine/parallel/).
  setLintWorkerScript(new URL(import.meta.url));
  runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`trainlint: internal error: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
