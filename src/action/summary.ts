/** The job summary ($GITHUB_STEP_SUMMARY), ≤ 1 MiB. */
import { appendFileSync } from 'node:fs';

export function writeJobSummary(markdown: string, log: (s: string) => void, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) {
    log('trainlint: GITHUB_STEP_SUMMARY is not set; no job summary written');
    return false;
  }
  try {
    appendFileSync(file, markdown);
    return true;
  } catch (err) {
    log(`trainlint: cannot write the job summary: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
}
