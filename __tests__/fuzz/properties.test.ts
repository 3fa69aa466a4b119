/**
 * Property-based tests (fast-check, fixed seed) for every loader and for the whole CLI on the
 * hostile-input classes of issue #14. The longer, time-budgeted run with figures is
 * `node bench/fuzz.mjs` (run by .ci/run); this file keeps the Jest run short.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { compileGlob } from '../../src/config/glob';
import { parseSource } from '../../src/engine/load-file';
import { findPin, parseVersionRange } from '../../src/engine/package-pins';
import { parseDotlistItem } from '../../src/engine/hydra/command';
import { documentedGpus } from '../../src/dialects/fairseq';
import { treeFromFlags } from '../../src/dialects/cli-tree';
import type { FileFormat } from '../../src/engine/types';
import { allClasses, type FuzzInput } from './arbitraries';
import { checkInput } from './check-input';

const SEED = 20261204;
const ROOT = path.join(__dirname, '..', '..');
const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-marker-'));
const MARKER = path.join(markerDir, 'marker');
afterAll(() => fs.rmSync(markerDir, { recursive: true, force: true }));

/** Text that leans on each loader's syntax: brackets, quotes, anchors, `$(…)`, escapes, odd code points. */
const syntaxy = fc
  .array(
    fc.oneof(
      fc.constantFrom('[', ']', '{', '}', ',', ':', '- ', '&a ', '*a', '<<: ', '"', "'", '\\', '#', '\n', '\r\n', '  ', '\t', '=', '$(', '`', '${', '}', '!!', '0x', '1e5', '1_0', '.5', 'inf', 'nan', 'true', '"""', "'''", '\u0000', '\ufeff', '\ud800', '\u2028', 'é'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

describe('every loader: never throws, every problem has a location inside the file', () => {
  const formats: [FileFormat, string][] = [
    ['yaml', 'c.yaml'],
    ['json', 'c.json'],
    ['toml', 'c.toml'],
    ['shell', 'c.sh'],
    ['python', 'config/c.py'],
  ];
  test.each(formats)('%s', (format, name) => {
    fc.assert(
      fc.property(syntaxy, (text) => {
        const file = parseSource(name, text, {}, format);
        const lines = text.split('\n').length;
        for (const p of file.problems) {
          expect(['parse-error', 'duplicate-key']).toContain(p.kind);
          expect(p.range.line).toBeGreaterThanOrEqual(1);
          expect(p.range.line).toBeLessThanOrEqual(lines + 1);
          expect(p.message).not.toMatch(/Maximum call stack|RangeError|TypeError|undefined is not/);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('issue #11 part 2 readers (pure): never throw on any text, answers stay bounded', () => {
  test('package pins, version ranges, dotlist items, documented GPU counts, flags as a tree', () => {
    fc.assert(
      fc.property(syntaxy, (text) => {
        for (const name of ['requirements.txt', 'pyproject.toml', 'setup.py', 'setup.cfg']) {
          const pin = findPin(name, text, 'trl');
          if (pin) expect(pin.spec.length).toBeLessThanOrEqual(200);
        }
        const range = parseVersionRange(text);
        if (range) expect(typeof range).toBe('object');
        const item = parseDotlistItem(`steps=${text}`);
        expect(typeof item.ok).toBe('boolean');
        const doc = documentedGpus(`# ${text}\nfairseq-train x\n`, 2);
        if (doc) expect(doc.gpus).toBeLessThan(100000);
        const script = parseSource('c.sh', `swift sft ${text}\n`, {}, 'shell');
        for (const cmd of script.script?.commands ?? []) expect(treeFromFlags(cmd.args, cmd.range).kind).toBe('map');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('globs: linear-time matching agrees with picomatch on ordinary globs', () => {
  const segment = fc.array(fc.constantFrom('a', 'b', '.', '-', '*', '?', '[ab]', '[!a]', '{a,b}'), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
  const glob = fc.array(fc.oneof(segment, fc.constant('**')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  const name = fc.array(fc.array(fc.constantFrom('a', 'b', '.', '-', 'c'), { minLength: 1, maxLength: 4 }).map((p) => p.join('')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  test('same answer', () => {
    fc.assert(
      fc.property(glob, name, (g, n) => {
        // picomatch's own quirks are left out: `[!a]` (it negates the whole glob), `.`/`..` segments,
        // and a trailing `/**`, which matches its folder itself only after a literal segment there.
        fc.pre(!g.includes('[!a]') && !/(^|\/)\.\.?(\/|$)/.test(n) && !/\/\*\*$/.test(g));
        expect(compileGlob(g).test(n)).toBe(picomatch(g, { dot: true })(n));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('the CLI on every hostile class: no internal error, valid report naming every file, the good file linted, nothing run', () => {
  const classes = allClasses(MARKER);
  test.each(Object.keys(classes))('%s', async (kind) => {
    await fc.assert(
      fc.asyncProperty(classes[kind] as fc.Arbitrary<FuzzInput>, async (input) => {
        const verdict = await checkInput(input, MARKER);
        expect({ crash: verdict.crash, lost: verdict.lost, executed: verdict.executed }).toEqual({ crash: undefined, lost: undefined, executed: undefined });
      }),
      { seed: SEED, numRuns: 3 },
    );
  }, 60_000);
});

test('bench/fuzz.mjs runs with a seed and a time budget and prints the figures', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'fuzz.mjs'), '--seed', '7', '--time', '3', '--classes', 'aliases,long names,injection'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout).toMatch(/^fuzz: seed 7, [\d.]+ s, \d+ inputs tried$/m);
  expect(r.stdout).toMatch(/^ {2}crashes 0, hangs 0, lost findings 0, code executed 0$/m);
  expect(r.stdout).toMatch(/^ {2}aliases +\d+ +\d+ ms/m);
  expect(r.status).toBe(0);
}, 70_000);
