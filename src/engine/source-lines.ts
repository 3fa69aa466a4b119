/**
 * The lines of a text as `text.split('\n')` gives them, found when asked: callers read a handful of
 * lines (code frames, a setting's literal), not every line of the file, so line starts are found
 * with `indexOf` and only as far as the lines asked for.
 */
export class SourceLines {
  /** starts[i]: where line i + 1 starts, as far as asked. */
  private readonly starts = [0];

  constructor(private readonly text: string | undefined) {}

  /** Line `line` (1-based) without its `\n`, undefined where `split('\n')[line - 1]` is. */
  at(line: number): string | undefined {
    const start = this.startOf(line);
    if (start < 0) return undefined;
    const text = this.text!;
    const newline = text.indexOf('\n', start);
    return text.slice(start, newline < 0 ? text.length : newline);
  }

  /** `at(line)?.slice(from, to)`, without a copy of the line when the span lies inside it. */
  slice(line: number, from: number, to: number): string | undefined {
    const start = this.startOf(line);
    if (start < 0) return undefined;
    const text = this.text!;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (from >= 0 && from <= to && to <= end - start) return text.slice(start + from, start + to);
    return text.slice(start, end).slice(from, to);
  }

  /** Where line `line` starts, -1 where there is no such line. */
  private startOf(line: number): number {
    const text = this.text;
    if (text === undefined || !Number.isInteger(line) || line < 1) return -1;
    const starts = this.starts;
    while (starts.length < line) {
      const newline = text.indexOf('\n', starts[starts.length - 1]);
      if (newline < 0) return -1;
      starts.push(newline + 1);
    }
    return starts[line - 1];
  }
}
