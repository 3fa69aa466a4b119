/**
 * A JSON file that starts with a UTF-8 byte order mark: Python's json.load (a file opened as UTF-8)
 * raises "Unexpected UTF-8 BOM (decode using utf-8-sig)"; PyYAML, and DeepSpeed's own hjson.load,
 * skip the mark. The loader keeps the tree and remembers the mark; the parse-error is given for the
 * frameworks that read the file with json.load, once the dialect is known.
 */
import { decodeSource, jsonByteOrderMarkProblem } from '../src/engine/load-file';

const BOM = [0xef, 0xbb, 0xbf];
const bytes = (text: string): Uint8Array => new Uint8Array([...BOM, ...Buffer.from(text)]);
const DS = '{"train_batch_size": 32, "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 1}\n';

describe('UTF-8 byte order mark', () => {
  test('JSON: the tree is read, the mark remembered, and json.load\'s error is at 1:1 with what to do', () => {
    const file = decodeSource('ds_config.json', bytes(DS));
    expect(file.bom).toBe(true);
    expect(file.tree?.kind).toBe('map');
    expect(jsonByteOrderMarkProblem(file)).toEqual({
      kind: 'parse-error',
      message: expect.stringMatching(/^invalid JSON: the file starts with a UTF-8 byte order mark, which Python's json\.load rejects \("Unexpected UTF-8 BOM \(decode using utf-8-sig\)"\): save the file as UTF-8 without a BOM$/),
      range: { line: 1, column: 1, endLine: 1, endColumn: 2 },
    });
  });

  test('JSON without the mark, and YAML with it (PyYAML skips it): nothing', () => {
    expect(jsonByteOrderMarkProblem(decodeSource('ds_config.json', Buffer.from(DS)))).toBeUndefined();
    const yaml = decodeSource('sft.yaml', bytes('learning_rate: 2.0e-5\n'));
    expect(yaml.bom).toBe(true);
    expect(yaml.problems).toEqual([]);
    expect(jsonByteOrderMarkProblem(yaml)).toBeUndefined();
  });
});

describe('UTF-16 and UTF-32 text (a byte order mark says so)', () => {
  const encode = (text: string, enc: 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be'): Buffer => {
    const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
    if (enc === 'utf16le') return le;
    if (enc === 'utf16be') return Buffer.from(le).swap16();
    const units = [...`\uFEFF${text}`].map((c) => c.codePointAt(0)!);
    const out = Buffer.alloc(units.length * 4);
    units.forEach((u, i) => (enc === 'utf32le' ? out.writeUInt32LE(u, i * 4) : out.writeUInt32BE(u, i * 4)));
    return out;
  };
  test.each([
    ['utf16le', 'UTF-16 (little-endian)'],
    ['utf16be', 'UTF-16 (big-endian)'],
    ['utf32le', 'UTF-32 (little-endian)'],
    ['utf32be', 'UTF-32 (big-endian)'],
  ] as const)('%s: a parse error that names the encoding, not "binary file"', (enc, name) => {
    const file = decodeSource('sft.yaml', encode('learning_rate: 2.0e-5\n', enc));
    expect(file.problems.map((p) => p.message)).toEqual([expect.stringContaining(`file is ${name} text`)]);
    expect(file.tree).toBeUndefined();
  });
  test('a file of NUL bytes without a mark is still a binary file', () => {
    expect(decodeSource('x.yaml', Buffer.from([0x70, 0, 0x71])).problems[0].message).toBe('binary file (contains NUL bytes); not a text config');
  });
});
