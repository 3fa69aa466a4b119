/**
 * Shortcuts of the config readers that must not change what they read: the fast YAML path tests
 * for printable ASCII before its full test of the characters it leaves to the `yaml` path, and
 * blockKey reuses the scan of a key it was first only asked about (yaml-fast.ts `probedAt`). Also
 * pins which problem decodeSource gives for NUL bytes and invalid UTF-8 (for any later reordering).
 */
import { isDeepStrictEqual } from 'node:util';
import { decodeSource } from '../src/engine/load-file';
import { loadYamlFastOnly, loadYamlWithYamlPackage } from '../src/engine/load/yaml';

const BINARY = 'binary file (contains NUL bytes); not a text config';
const NOT_UTF8 = 'file is not valid UTF-8';

function messages(bytes: number[], name = 'c.yaml'): string[] {
  return decodeSource(name, Uint8Array.from(bytes)).problems.map((p) => p.message);
}

describe('reader shortcuts', () => {
  it('a NUL byte makes a binary file, before and after invalid UTF-8 as before', () => {
    const a = [0x61, 0x3a, 0x20, 0x31, 0x0a];
    expect(messages(a)).toEqual([]);
    expect(messages([...a, 0])).toEqual([BINARY]);
    expect(messages([0, ...a], 'c.json')).toEqual([BINARY]);
    // Invalid UTF-8 with a NUL anywhere is binary; without one, not UTF-8.
    expect(messages([0xff, ...a, 0])).toEqual([BINARY]);
    expect(messages([0, 0xc3])).toEqual([BINARY]);
    expect(messages([0xff, ...a])).toEqual([NOT_UTF8]);
    // A NUL after a byte order mark, and U+0000 written as two bytes (overlong: invalid).
    expect(messages([0xef, 0xbb, 0xbf, ...a, 0])).toEqual([BINARY]);
    expect(messages([...a, 0xc0, 0x80])).toEqual([NOT_UTF8]);
  });

  it.each([
    ['ASCII only', 'a: 1\nb: [x, y]\n', true],
    ['non-ASCII letters', 'name: café\nb: 1\n', true],
    ['a tab', 'a:\t1\n', false],
    ['a control character after non-ASCII', 'name: café\nb: x\x01y\n', false],
    ['U+0085 after non-ASCII', 'name: é\nb: x\u0085y\n', false],
    ['U+2028', 'b: x\u2028y\n', false],
    ['U+FEFF inside', 'a: 1\nb: x\ufeffy\n', false],
    ['DEL', 'b: x\x7fy\n', false],
    ['a lone CR', 'a: 1\rb: 2\n', false],
    ['CR LF', 'a: 1\r\nb: 2\r\n', true],
  ])('%s: the fast path reads it (%s) as the yaml path does, or steps aside', (_what, text, fast) => {
    const result = loadYamlFastOnly(text);
    expect(result !== undefined).toBe(fast);
    if (result) expect(isDeepStrictEqual(result, loadYamlWithYamlPackage(text))).toBe(true);
  });

  it.each([
    ['a nested mapping under a key', 'model:\n  name: llama\n  layers: 2\nnext: 1\n'],
    ['mappings as sequence items', 'runs:\n- lr: 1\n  wd: 2\n-   k: v\n- x\n'],
    ['an anchored mapping, its alias, a merge key', 'base: &b\n  lr: 1\n  lr: 2\nrun:\n  <<: *b\n  wd: 0\ncopy: *b\n'],
    ['a key with spaces before its colon, a duplicate', 'a:\n  key  : 1\n  key: 2\n'],
    ['a value that is not a key', 'a:\n  just text\nb:\n  "q"\n'],
    ['a merge key as the first key of a nested mapping', 'base: &b {x: 1}\nrun:\n  <<: *b\n  y: 2\n'],
    ['a key too long for the fast path', `a:\n  ${'k'.repeat(1100)}: 1\n`],
  ])('%s: the same tree and problems as the yaml path', (_what, text) => {
    const result = loadYamlFastOnly(text);
    if (result) expect(result).toEqual(loadYamlWithYamlPackage(text));
    else expect(text).toContain('k'.repeat(1100));
  });
});
