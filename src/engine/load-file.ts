/** Reads one file from disk and parses it by format; never throws for bad content. */
import path from 'node:path';
import type { LoadProblem } from './load/result.js';
import { loadJson } from './load/json.js';
import { loadPythonConfig } from './load/python-config.js';
import { parseLaunchScript } from './load/shell.js';
import { loadToml } from './load/toml.js';
import { loadYaml, type YamlVersion } from './load/yaml.js';
import { scanDirectives } from './directives.js';
import { readBounded } from './repo-files.js';
import type { SourceFile } from './source.js';
import type { FileFormat, Range } from './types.js';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

const START: Range = { line: 1, column: 1, endLine: 1, endColumn: 2 };

export function formatOf(relPath: string): FileFormat {
  const ext = path.extname(relPath).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.toml') return 'toml';
  if (ext === '.sh' || ext === '.bash' || ext === '.sbatch' || ext === '.slurm') return 'shell';
  // Python configs (nanoGPT config/*.py, MMEngine and detectron2 LazyConfig); read statically, never run.
  if (ext === '.py') return 'python';
  return 'yaml';
}

/**
 * Parse errors kept per file. A hostile file can make a loader report one error per token
 * (10,000 unclosed `[` give 10,000 YAML errors, i.e. 10,000 findings and annotations); past the
 * first few they are cascades that tell the user nothing more. The last kept error says how
 * many were dropped. Other problem kinds (duplicate-key) are not capped.
 */
export const MAX_PARSE_ERRORS_PER_FILE = 10;

function capParseErrors(problems: LoadProblem[]): LoadProblem[] {
  const errors = problems.filter((p) => p.kind === 'parse-error');
  if (errors.length <= MAX_PARSE_ERRORS_PER_FILE) return problems;
  const last = errors[MAX_PARSE_ERRORS_PER_FILE - 1];
  const dropped = new Set(errors.slice(MAX_PARSE_ERRORS_PER_FILE));
  const more = errors.length - MAX_PARSE_ERRORS_PER_FILE;
  return problems
    .filter((p) => !dropped.has(p))
    .map((p) => (p === last ? { ...p, message: `${p.message} (and ${more} more parse errors in this file, not shown)` } : p));
}

export interface ParseOptions {
  yamlVersion?: YamlVersion;
}

/** Parse text that is already decoded. */
export function parseSource(relPath: string, text: string, options: ParseOptions = {}, format = formatOf(relPath)): SourceFile {
  // Every format but JSON has `#` comments (YAML, TOML, shell, Python).
  const directives = scanDirectives(text, format !== 'json');
  const file: SourceFile = { path: relPath, text, format, problems: [], directives };
  if (format === 'shell') {
    const { script, problems } = parseLaunchScript(text);
    file.script = script;
    file.problems = capParseErrors(problems.map((p): LoadProblem => ({ kind: 'parse-error', message: p.message, range: p.range })));
    return file;
  }
  const result =
    format === 'json'
      ? loadJson(text)
      : format === 'toml'
        ? loadToml(text)
        : format === 'python'
          ? loadPythonConfig(text)
          : loadYaml(text, { version: options.yamlVersion });
  file.tree = result.tree;
  file.problems = capParseErrors(result.problems);
  return file;
}

function unreadable(relPath: string, message: string): SourceFile {
  const problem: LoadProblem = { kind: 'parse-error', message, range: START };
  return { path: relPath, text: '', format: formatOf(relPath), problems: [problem], directives: { suppressions: [] } };
}

/** Decode bytes as UTF-8 text; binary or invalid UTF-8 yields a parse-error instead. */
export function decodeSource(relPath: string, bytes: Uint8Array, options: ParseOptions = {}): SourceFile {
  if (bytes.includes(0)) return unreadable(relPath, 'binary file (contains NUL bytes); not a text config');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return unreadable(relPath, 'file is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseSource(relPath, text, options);
}

export function loadFile(absPath: string, relPath: string, options: ParseOptions & { maxBytes?: number } = {}): SourceFile {
  const read = readBounded(absPath, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!read.ok) return unreadable(relPath, read.why);
  return decodeSource(relPath, read.bytes, options);
}
