/**
 * SourceLines (engine/source-lines.ts): `at` is `split('\n')[line - 1]`, and `slice` is that line's
 * `.slice(from, to)`, for every line and span of texts with CRLF, empty lines, a missing final newline
 * and no text at all, asked in any order (line starts are found as far as asked).
 */
import { SourceLines } from '../src/engine/source-lines';

const TEXTS = ['', 'a', 'lr: 1e-4\nbatch: 8\n', 'x\r\ny: "2"\r\n\r\n  z: 3', '\n\n\nlast', 'one line, no newline'];

describe('SourceLines', () => {
  test('at gives split lines, slice gives their slices, in any order of asking', () => {
    for (const text of TEXTS) {
      const split = text.split('\n');
      for (const order of ['up', 'down']) {
        const lines = new SourceLines(text);
        const numbers = [0, -1, 1.5, ...split.map((_, i) => i + 1), split.length + 1, split.length + 5];
        if (order === 'down') numbers.reverse();
        for (const line of numbers) {
          const whole = Number.isInteger(line) && line >= 1 ? split[line - 1] : undefined;
          expect(lines.at(line)).toBe(whole);
          for (const [from, to] of [[0, 0], [0, 3], [1, 2], [2, 1], [-2, 5], [0, 100], [3, 3], [-1, -1]]) {
            expect(new SourceLines(text).slice(line, from, to)).toBe(whole?.slice(from, to));
            expect(lines.slice(line, from, to)).toBe(whole?.slice(from, to));
          }
        }
      }
    }
  });

  test('no text: no lines', () => {
    const lines = new SourceLines(undefined);
    expect(lines.at(1)).toBeUndefined();
    expect(lines.slice(1, 0, 1)).toBeUndefined();
  });
});
