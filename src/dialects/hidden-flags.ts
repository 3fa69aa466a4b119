/**
 * Flags a launch command does not write that an opaque word of it may set (`$EXTRA_ARGS`, the unknown end
 * of an array a branch appends to; engine/load/shell.ts `ShellArg.opaque`): their values are unknown, not
 * the framework's defaults, and the plan says so in one note per word.
 */
export class HiddenFlags {
  /** Opaque word → the flags it may set, in the order they were met. */
  private readonly byWord = new Map<string, string[]>();

  /** Records that `by` (when it is set) may set `flag`; returns `by`. */
  record(flag: string, by: string | undefined): string | undefined {
    if (!by) return undefined;
    const flags = this.byWord.get(by);
    if (!flags) this.byWord.set(by, [flag]);
    else if (!flags.includes(flag)) flags.push(flag);
    return by;
  }

  /** Whether `word` was recorded as possibly setting a flag. */
  has(word: string): boolean {
    return this.byWord.has(word);
  }

  /** One note per word: "--a, --b are not written on the command, and $W may set them: left unknown rather than timm's defaults". */
  notes(whose: string): string[] {
    return [...this.byWord].map(([by, flags]) => {
      const many = flags.length > 1;
      return `${flags.join(', ')} ${many ? 'are' : 'is'} not written on the command, and ${by} may set ${many ? 'them' : 'it'}: left unknown rather than ${whose} default${many ? 's' : ''}`;
    });
  }
}
