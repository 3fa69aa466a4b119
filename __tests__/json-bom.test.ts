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
