/**
 * The spool of a very large run (engine/parallel/spool.ts): finished results' payloads and texts
 * written to a temporary file and read back as they were; the file leaves nothing behind in the
 * temporary folder. And the run-wide per-file caches keep only recent entries (engine/recent-map.ts).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePayload, FinishedResult, type Payload } from '../src/engine/parallel/finished';
import { Spool } from '../src/engine/parallel/spool';
import { RecentMap } from '../src/engine/recent-map';
import type { Finding } from '../src/engine/types';

/** `n` bytes that differ from record to record. */
function bytes(n: number, seed: number): Uint8Array {
  const out = Buffer.alloc(n);
  for (let i = 0; i < Math.min(n, 251); i++) out[i] = (i * 31 + seed) & 0xff;
  for (let filled = Math.min(n, 251); filled < n; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, n - filled));
  return new Uint8Array(out.buffer, out.byteOffset, n);
}

describe('Spool', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'trainlint-spool-test-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  test('records read back as written: small ones gathered, ones past the buffer, ones larger than it', () => {
    const spool = Spool.open(tmp)!;
    expect(spool).toBeDefined();
    const sizes = [0, 1, 700, 300_000, 900_000, 2_500_000, 5, 1 << 20, (1 << 20) + 1, 64];
    const written = sizes.map((n, i) => {
      const parts = [bytes(n, i), bytes(i * 3, i + 100)];
      return { at: spool.put(parts)!, parts };
    });
    // Read back in another order (pending and flushed alike), whole and in parts.
    for (const { at, parts } of [...written].reverse()) {
      expect(at).toBeGreaterThanOrEqual(0);
      // Buffer.equals: toEqual walks megabytes element by element.
      expect(Buffer.from(spool.read(at, parts[0].length)).equals(parts[0])).toBe(true);
      expect(Buffer.from(spool.read(at + parts[0].length, parts[1].length)).equals(parts[1])).toBe(true);
    }
    // Records follow one another.
    for (let i = 1; i < written.length; i++) expect(written[i].at).toBe(written[i - 1].at + written[i - 1].parts[0].length + written[i - 1].parts[1].length);
  });

  test('leaves nothing in the temporary folder (POSIX: the file is unlinked while open)', () => {
    const spool = Spool.open(tmp)!;
    const at = spool.put([bytes(10, 1)])!;
    if (process.platform !== 'win32') expect(readdirSync(tmp)).toEqual([]);
    expect(Buffer.from(spool.read(at, 10))).toEqual(Buffer.from(bytes(10, 1)));
  });

  test('no temporary folder: no spool, and the caller keeps results in memory', () => {
    expect(Spool.open(path.join(tmp, 'missing', 'folder'))).toBeUndefined();
  });

  const finding: Finding = {
    ruleId: 'warmup-share',
    severity: 'warning',
    message: 'warmup is 40% of training',
    path: 'configs/a.yaml',
    range: { line: 2, column: 1, endLine: 2, endColumn: 12 },
  };
  const payload = (): Payload => ({ findings: [finding], problems: [], directives: { disables: [] } as never, extraction: undefined });

  test('a spooled result gives back its payload and text, and lets the parsed form go', () => {
    const spool = Spool.open(tmp)!;
    const text = 'lr: 1e-3\nwarmup_steps: 4000  # ünïcode 🚀\n';
    for (const compressed of [false, true]) {
      const r = new FinishedResult({ path: 'configs/a.yaml', text, format: 'yaml' }, { bytes: encodePayload(payload(), compressed), compressed }, undefined, undefined, undefined, spool);
      expect(r.spooled).toBe(true);
      expect(r.file.text).toBe(text);
      expect(r.findings).toEqual([finding]);
      const first = r.findings;
      r.release();
      expect(r.findings).not.toBe(first);
      expect(r.findings).toEqual([finding]);
      // A change is written back to the spool by release(), the parsed form dropped.
      r.findings = [];
      const changed = r.findings;
      r.release();
      expect(r.findings).not.toBe(changed);
      expect(r.findings).toEqual([]);
      expect(r.file.text).toBe(text);
      expect(r.printed()).toBeUndefined();
    }
  });

  test('a text UTF-8 would not give back (a lone surrogate) stays in memory, as it was', () => {
    const spool = Spool.open(tmp)!;
    const text = 'name: "\uD800x"\n';
    const r = new FinishedResult({ path: 'a.yaml', text, format: 'yaml' }, { bytes: encodePayload(payload(), true), compressed: true }, undefined, undefined, undefined, spool);
    expect(r.spooled).toBe(true);
    expect(r.file.text).toBe(text);
  });

  test('a result kept as objects in a run with a spool keeps its payload and puts its text in the spool', () => {
    const spool = Spool.open(tmp)!;
    const text = 'lr: 1e-3\nwarmup_steps: 4000  # ünïcode 🚀\n';
    const before = spool.put([new Uint8Array([1, 2, 3])])!;
    const kept = payload();
    const r = new FinishedResult({ path: 'configs/a.yaml', text, format: 'yaml' }, kept, undefined, undefined, undefined, spool);
    // The text went to the spool (after the record before it); the payload is the same objects.
    expect(spool.put([new Uint8Array([4])])).toBe(before + 3 + Buffer.byteLength(text));
    expect(r.spooled).toBe(false);
    expect(r.findings).toBe(kept.findings);
    expect(r.file.text).toBe(text);
    r.findings = [];
    r.release();
    expect(r.findings).toEqual([]);
    expect(r.file.text).toBe(text);
    // Without a spool, or with a text UTF-8 would not give back, the text stays in memory.
    const lone = 'name: "\uD800x"\n';
    expect(new FinishedResult({ path: 'a.yaml', text: lone, format: 'yaml' }, payload(), undefined, undefined, undefined, spool).file.text).toBe(lone);
    expect(new FinishedResult({ path: 'a.yaml', text, format: 'yaml' }, payload(), undefined, undefined).file.text).toBe(text);
  });

  test('without a spool, or with printed report parts, the encoded payload stays in memory', () => {
    const spool = Spool.open(tmp)!;
    const encoded = { bytes: encodePayload(payload(), false), compressed: false };
    const alone = new FinishedResult({ path: 'a.yaml', text: 'x: 1\n', format: 'yaml' }, encoded, undefined, undefined);
    const printed = new FinishedResult({ path: 'a.yaml', text: 'x: 1\n', format: 'yaml' }, encoded, undefined, undefined, { file: new Uint8Array(), findings: [], severities: [] }, spool);
    for (const r of [alone, printed]) {
      expect(r.spooled).toBe(false);
      expect(r.findings).toEqual([finding]);
      expect(r.file.text).toBe('x: 1\n');
      // A change is encoded again in memory by release().
      r.findings = [];
      r.release();
      expect(r.findings).toEqual([]);
    }
    expect(printed.printed()).toBeUndefined();
  });
});

describe('RecentMap', () => {
  test('keeps the most recently set entries, up to its limit', () => {
    const m = new RecentMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    expect(m.size).toBe(3);
    expect(m.has('a')).toBe(false);
    expect(m.get('d')).toBe(3);
    // Setting again makes an entry recent.
    m.set('b', 10);
    m.set('e', 4);
    expect(m.has('c')).toBe(false);
    expect(m.get('b')).toBe(10);
    expect(['b', 'd', 'e'].every((k) => m.has(k))).toBe(true);
    // Setting a present key again, when full, evicts nothing.
    m.set('e', 5);
    expect(['b', 'd', 'e'].every((k) => m.has(k))).toBe(true);
  });
});
