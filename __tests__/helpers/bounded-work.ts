/**
 * Work that must end on its own, run in a child process (bundled and started by `runWork` in
 * helpers/child.ts) so that a hang is a failed assertion after a hard timeout instead of a stuck
 * Jest worker. Each scenario prints one JSON line: what the test asserts on.
 *
 * argv: scenario [args…]
 */
import fs from 'node:fs';
import { parseSource } from '../../src/engine/load-file';
import { parquetRows } from '../../src/engine/dataset-rows';
import { evaluateArithmetic } from '../../src/engine/load/shell-arith';
import { parsePythonConfig } from '../../src/engine/load/python-config';
import { composeConfig, type ConfigLoader } from '../../src/engine/hydra/compose';
import { readDefaultsList } from '../../src/engine/hydra/defaults-list';
import { OmegaReader } from '../../src/engine/omega-reader';

/** A fixed-seed generator (the same inputs on every run). */
function random(seed: number) {
  let s = seed;
  const rand = (n: number) => (s = (s * 1103515245 + 12345) % 2147483648) % n;
  const pick = <T>(xs: T[]): T => xs[rand(xs.length)];
  return { rand, pick };
}

/** Runs `f`, recording what it throws. */
function guard(threw: string[], what: string, f: () => unknown): void {
  try {
    f();
  } catch (err) {
    threw.push(`${what}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
  }
}

const SCENARIOS: Record<string, (args: string[]) => unknown> = {
  /** parquetRows on a file (a hostile footer). */
  parquet: ([file]) => parquetRows(file, 1 << 20),

  /** A resolver whose arguments name resolvers of the same kind: `k` arguments, `levels` deep. */
  'omega-fan-out': ([k, levels]) => {
    const lines = ['l0: 1'];
    for (let i = 1; i <= Number(levels); i++) lines.push(`l${i}: \${multiply:${Array(Number(k)).fill(`\${l${i - 1}}`).join(',')}}`);
    const file = parseSource('x.yaml', lines.join('\n') + '\n');
    const reader = new OmegaReader(file, [], file.tree!, 'omegaconf', { resolvers: { multiply: (x) => x.reduce((a, b) => a * b, 1) } });
    const value = reader.number([`l${levels}`]);
    return { value: value?.value ?? null, notes: reader.notes };
  },

  /** A Python config (the file) read statically: its top-level keys and why the others are unknown. */
  'python-config': ([file]) => {
    const result = parsePythonConfig(fs.readFileSync(file, 'utf8'));
    return { keys: result.tree?.entries.map((e) => e.key) ?? [], opaque: Object.fromEntries([...result.opaque].map(([k, v]) => [k, v.reason])), problems: result.problems.map((p) => p.message) };
  },

  /** `x{i} = [x{i-1}, x{i-1}]`, 60 times: 2^60 nodes if expanded. */
  'python-doubling': () => {
    const lines = ['x0 = [1, 2, 3, 4]'];
    for (let i = 1; i <= 60; i++) lines.push(`x${i} = [x${i - 1}, x${i - 1}]`);
    const result = parsePythonConfig(lines.join('\n'));
    return { x60: result.opaque.get('x60')?.reason ?? null };
  },

  /** Random defaults lists, compositions and interpolations (the Hydra readers never throw). */
  'hydra-random': () => {
    const { rand, pick } = random(1234);
    const threw: string[] = [];
    const names = ['a', 'b', 'c/d', '../e', '/f', '.', '_self_', 'optional g', 'override h', '${x}', ''];
    const files: Record<string, string> = {};
    const entry = () => {
      const k = rand(3);
      if (k === 0) return `  - ${pick(names)}`;
      if (k === 1) return `  - ${pick(names)}@${pick(['p', 'q.r', '_global_', ''])}: ${pick(['a', 'b', 'null', '[a, b]', ''])}`;
      return `  - {${pick(names)}: ${pick(names)}}`;
    };
    const text = () => `defaults:\n${Array.from({ length: rand(5) }, entry).join('\n')}\nx: ${rand(10)}\ny:\n  z: \${.x}\n`;
    for (const n of ['a', 'b', 'c/d', 'e', 'f', 'g/a', 'h/b', 'a/a', 'b/b']) files[`${n}.yaml`] = text();
    const loader: ConfigLoader = (rel) => (files[rel] !== undefined ? { path: rel, text: files[rel], tree: parseSource(rel, files[rel]).tree } : { missing: 'no' });
    for (let i = 0; i < 300; i++) {
      const f = parseSource('config.yaml', text());
      guard(threw, 'readDefaultsList', () => readDefaultsList(f.tree));
      guard(threw, 'compose', () => {
        const c = composeConfig(f, loader);
        new OmegaReader(f, [], c.root, 'omegaconf', { sources: c.sources }).number(['y', 'z']);
      });
    }
    return { threw };
  },

  /** Random text through bash arithmetic. */
  'arith-random': () => {
    const { rand } = random(7);
    const threw: string[] = [];
    const vars: Record<string, string> = { A: '6', B: '4', EXPR: 'A * B' };
    const alphabet = '0123456789+-*/%() AB$x{}';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = rand(60); j > 0; j--) s += alphabet[rand(alphabet.length)];
      guard(threw, s, () => evaluateArithmetic(s, (name) => vars[name]));
    }
    return { threw };
  },
};

function main(): void {
  const [scenario, ...args] = process.argv.slice(2);
  const run = SCENARIOS[scenario];
  if (!run) {
    process.stderr.write(`unknown scenario ${scenario}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${JSON.stringify(run(args))}\n`);
}

main();
