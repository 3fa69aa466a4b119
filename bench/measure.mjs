// What the benchmark scripts share: a command's wall time, CPU time and peak memory, and medians.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `cmd argv` under /usr/bin/time (its figures go to `timeFile`): wall seconds, CPU seconds
 * (user + system), peak resident MiB and stdout. An exit status outside `okStatus` throws.
 */
export function timed(cmd, argv, { cwd, timeFile, env = process.env, okStatus = [0, 1] }) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...argv], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (!okStatus.includes(r.status)) throw new Error(`${cmd} ${argv.slice(0, 6).join(' ')}… exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 800)}`);
  const [kib, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, cpu: user + sys, mib: kib / 1024, stdout: r.stdout };
}
