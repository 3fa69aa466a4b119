/** What the structured-config loaders (JSON, TOML, YAML) hand back. */
import type { ConfigNode } from '../tree.js';
import type { Range } from '../types.js';

export interface LoadProblem {
  kind: 'parse-error' | 'duplicate-key';
  message: string;
  range: Range;
}

/**
 * A YAML tag the `yaml` package has no type for (`!include`, `!!python/tuple`): none of PyYAML's
 * SafeLoader constructors either (yaml.safe_load and OmegaConf stop on it). Whether the framework's
 * loader constructs it is the dialect's to say (engine/yaml-tags.ts).
 */
export interface UnresolvedTag {
  /** As written: `!include`, `!!python/tuple`. */
  tag: string;
  /** Where the tag is written. */
  range: Range;
}

export interface LoadResult {
  /** Absent when the file does not parse. */
  tree?: ConfigNode;
  problems: LoadProblem[];
  /** YAML: the tags of the linted document that no SafeLoader constructor types (absent when none). */
  unresolvedTags?: UnresolvedTag[];
}

/** Nesting deeper than this is a parse-error (keeps recursion bounded on hostile input). */
export const MAX_DEPTH = 64;

/**
 * JavaScript engine messages that can surface from a parser (the yaml package reports a stack
 * overflow as a document error) or an internal failure, reworded: users never see
 * "Maximum call stack size exceeded" or another engine string.
 */
const ENGINE_MESSAGES: [RegExp, string][] = [
  [/(?:RangeError: )?Maximum call stack size exceeded/g, `nested too deeply (limit ${MAX_DEPTH})`],
  [/(?:RangeError: )?(?:Invalid string length|Invalid array length|Array buffer allocation failed)/g, 'too large to process'],
];

export function userFacingMessage(message: string): string {
  let out = message;
  for (const [pattern, wording] of ENGINE_MESSAGES) out = out.replace(pattern, wording);
  return out;
}
