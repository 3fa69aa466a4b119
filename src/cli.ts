#!/usr/bin/env node
/** Entry of the `trainlint` command (bundled to dist/cli.js). */
import { runCli } from './cli/main.js';

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
