/** A loaded config file: its text, its parsed form (tree or launch script) and load problems. */
import type { LaunchScript } from './launch.js';
import type { LoadProblem, UnresolvedTag } from './load/result.js';
import type { ConfigNode } from './tree.js';
import type { FileFormat, Range } from './types.js';
import type { Directives } from './directives.js';
import type { Inherited } from './inherit.js';

export interface SourceFile {
  /** Repo-relative POSIX path (or the path as given, for files outside the root). */
  path: string;
  text: string;
  format: FileFormat;
  /** Structured configs (YAML, JSON, TOML). Absent when the file did not parse. */
  tree?: ConfigNode;
  /** Launch scripts (`.sh`). */
  script?: LaunchScript;
  /** parse-error and duplicate-key problems found while loading. */
  problems: LoadProblem[];
  /** Inline `# trainlint…` comments. */
  directives: Directives;
  /** YAML: tags no PyYAML SafeLoader constructor types (`!include`, `!!python/tuple`), where written. */
  unresolvedTags?: UnresolvedTag[];
  /** The file began with a UTF-8 byte order mark (not part of `text`; `--fix` writes it back). */
  bom?: boolean;
  /** The configuration after inheritance (`_base_`, `_BASE_`, config imports), when the file builds on others (engine/inherit.ts). */
  inherited?: Inherited;
}

/**
 * The linted files' texts by path, for code frames and fingerprints: a `Map`, or a lookup that
 * reads each text when asked (build-report.ts textsOf: a very large run keeps texts on disk).
 */
export interface FileTexts {
  get(path: string): string | undefined;
}

/** The range of the first line of a file, for findings that belong to the file as a whole. */
export function fileStartRange(file: SourceFile): Range {
  const firstLine = file.text.split('\n', 1)[0] ?? '';
  return { line: 1, column: 1, endLine: 1, endColumn: Math.max(2, firstLine.length + 1) };
}
