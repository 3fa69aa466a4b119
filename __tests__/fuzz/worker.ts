/**
 * The fuzz runner's worker (bundled and started by bench/fuzz.mjs): generates input number `i`
 * of class `kind` from the seed (so a killed worker can be restarted at the next input), checks
 * it in-process, and reports on stdout, one JSON line before and one after each input, so that
 * the runner knows which input a hang or a crash belongs to.
 *
 * argv: seed markerPath startIndex class1,class2,…
 */
import fc from 'fast-check';
import { allClasses } from './arbitraries';
import { checkInput } from './check-input';

async function main(): Promise<void> {
  const [seedText, markerPath, startText, kindsText] = process.argv.slice(2);
  const seed = Number(seedText);
  const classes = allClasses(markerPath);
  const kinds = kindsText.split(',');
  for (let i = Number(startText); ; i++) {
    const kind = kinds[i % kinds.length];
    const [input] = fc.sample(classes[kind], { seed: seed + i, numRuns: 1 });
    process.stdout.write(`${JSON.stringify({ start: i, kind })}\n`);
    const verdict = await checkInput(input, markerPath);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(await import('node:fs').then((fs) => fs.readFileSync('/proc/self/status', 'utf8')).catch(() => ''));
    process.stdout.write(`${JSON.stringify({ done: i, ...verdict, peakRssMb: hwm ? Math.round(Number(hwm[1]) / 1024) : undefined })}\n`);
  }
}

void main();
