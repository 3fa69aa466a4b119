#!/usr/bin/env node
/** Entry of the `trainlint` command (bundled to dist/cli.js). */
import { runCli } from './cli/main.js';
import { streamWriter } from './cli/output.js';

// `trainlint … | head`: a reader that goes away is not an error (cli/output.ts).
const stderr = streamWriter(process.stderr, () => {
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
