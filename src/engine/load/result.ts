/** What the structured-config loaders (JSON, TOML, YAML) hand back. */
import type { ConfigNode } from '../tree.js';
import type { Range } from '../types.js';

export interface LoadProblem {
  kind: 'parse-error' | 'duplicate-key';
  message: string;
  range: Range;
}

export interface LoadResult {
  /** Absent when the file does not parse. */
  tree?: ConfigNode;
  problems: LoadProblem[];
}

/** Nesting deeper than this is a parse-error (keeps recursion bounded on hostile input). */
export const MAX_DEPTH = 64;
