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
    const text = this.text;
    if (text === undefined || !Number.isInteger(line) || line < 1) return undefined;
    const starts = this.starts;
    while (starts.length < line) {
      const newline = text.indexOf('\n', starts[starts.length - 1]);
      if (newline < 0) return undefined;
      starts.push(newline + 1);
    }
    const start = starts[line - 1];
    const newline = text.indexOf('\n', start);
    return text.slice(start, newline < 0 ? text.length : newline);
  }
}
