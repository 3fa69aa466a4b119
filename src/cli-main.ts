/** The `trainlint` command (bundled to dist/cli-main.js, loaded by src/cli.ts once the compile cache is on), and its lint workers. */
import { runCli } from './cli/main.js';
import { streamWriter } from './cli/output.js';
import { setLintWorkerScript } from './engine/parallel/pool.js';
import { runLintWorkerIfAny } from './engine/parallel/worker.js';
import { allowV8Tuning } from './v8-tuning.js';

if (!runLintWorkerIfAny()) {
  // Lint workers run this same file (engine/parallel/).
  setLintWorkerScript(new URL(import.meta.url));
  // Large runs set V8's flags for linting (v8-tuning.ts): this process is trainlint's own.
  allowV8Tuning();

  // `trainlint … | head`: a reader that goes away is not an error (cli/output.ts).
  const stderr = streamWriter(() => process.stderr, () => {
    process.exitCode = 2;
  });
  const stdout = streamWriter(process.stdout, (err) => {
    stderr.write(`trainlint: cannot write the output (${err.code ?? err.message})\n`);
    process.exitCode = 2;
  });

  runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: stdout.write,
    stderr: stderr.write,
    isTTY: Boolean(process.stdout.isTTY),
  }).then(
    (code) => {
      process.exitCode ??= code;
    },
    (err: unknown) => {
      stderr.write(`trainlint: internal error: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
