/**
 * src/action/core.ts stands in for @actions/core in the action (start-up cost): for the same
 * calls it must write the same log lines, workflow commands, outputs and exit code.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundled, runNode } from '../helpers/child';

async function calls(which: 'ours' | 'theirs', withOutputFile: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-core-'));
  const output = path.join(dir, 'output.txt');
  writeFileSync(output, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', 'INPUT_FAIL-ON': '  warning \n', INPUT_API_TIME_LIMIT: '90' };
  if (withOutputFile) env.GITHUB_OUTPUT = output;
  const r = await runNode(await bundled('__tests__/helpers/core-runner.ts'), [which], { cwd: dir, env, timeoutMs: 20_000 });
  const delimiters = (s: string) => s.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER');
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, outputs: delimiters(readFileSync(output, 'utf8')) };
}

test.each([true, false])('the same output as @actions/core (GITHUB_OUTPUT set: %s)', async (withOutputFile) => {
  const ours = await calls('ours', withOutputFile);
  const theirs = await calls('theirs', withOutputFile);
  expect(ours).toEqual(theirs);
  expect(ours.code).toBe(1);
  expect(ours.stdout).toContain('[warning] [90] []');
  expect(ours.stdout).toContain('::notice title=trainlint%2C policy%3A x::16 more findings,%0Anot shown: 50%25');
  if (withOutputFile) expect(ours.outputs).toContain('multi<<DELIMITER\nline one\nline two\nDELIMITER\n');
}, 60_000);
