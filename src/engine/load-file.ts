/** Reads one file from disk and parses it by format; never throws for bad content. */
import path from 'node:path';
import { userFacingMessage, type LoadProblem } from './load/result.js';
import { loadJson } from './load/json.js';
import { loadPythonConfig } from './load/python-config.js';
import { parseLaunchScript } from './load/shell.js';
import { loadToml } from './load/toml.js';
import { loadYaml, type YamlVersion } from './load/yaml.js';
import { scanDirectives } from './directives.js';
import { markAliasFree } from './fix.js';
import { readBounded } from './repo-files.js';
import type { SourceReader } from './launch.js';
import { capPerKind } from './caps.js';
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
 * Load problems are capped per kind (engine/caps.ts): a hostile file can make a loader report one
 * error per token (10,000 unclosed `[` give 10,000 YAML errors) or one duplicate key per line.
 * The last kept problem of a capped kind says how many were dropped.
 */
export { MAX_PARSE_ERRORS_PER_FILE } from './caps.js';

function capParseErrors(problems: LoadProblem[]): LoadProblem[] {
  return capPerKind(problems, (p) => p.kind).map((p) => ({ ...p, message: userFacingMessage(p.message) }));
}

/**
 * Most values one file may hold, counted as line breaks, commas and opening brackets (a cheap
 * upper estimate taken before parsing). The loaders need up to ~700 bytes of memory per value
 * (a YAML flow list of single digits), so this bounds memory whatever `maxFileBytes` allows:
 * 500,000 values stay under about 1 GB.
 */
export const MAX_VALUES_PER_FILE = 500_000;

/** Line breaks, commas, `[` and `{` in the text, counted up to `limit + 1`. */
export function valueSeparators(text: string, limit = MAX_VALUES_PER_FILE): number {
  let count = 0;
  for (let i = 0; i < text.length && count <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44 || c === 91 || c === 123) count++;
  }
  return count;
}

export interface ParseOptions {
  yamlVersion?: YamlVersion;
  /** The reader of the files a launch script sources, by the script's path (engine/script-sources.ts). */
  scriptSources?: (relPath: string) => SourceReader | undefined;
  /** A launch script's starting environment (`NGPU=4 ./run_train.sh` run by `trainlint exec`). */
  environment?: ReadonlyArray<readonly [string, string]>;
  /** A launch script's arguments, when known (`./train.sh configs/a.yaml` run by `trainlint exec`): `$1`…. */
  positional?: readonly string[];
  /** The options sbatch is given before a job script (`trainlint exec -- sbatch --nodes=2 job.slurm`). */
  sbatchArgs?: readonly string[];
}

/** Parse text that is already decoded. */
export function parseSource(relPath: string, text: string, options: ParseOptions = {}, format = formatOf(relPath)): SourceFile {
  // A text no longer than the limit cannot hold more separators than that (no scan).
  if (text.length > MAX_VALUES_PER_FILE && valueSeparators(text) > MAX_VALUES_PER_FILE) {
    const problem: LoadProblem = {
      kind: 'parse-error',
      message: `file holds more than ${MAX_VALUES_PER_FILE} values (line breaks, commas and brackets), over the limit per file (memory guard); skipped`,
      range: START,
    };
    return { path: relPath, text: '', format, problems: [problem], directives: { suppressions: [] } };
  }
  // Every format but JSON has `#` comments (YAML, TOML, shell, Python).
  const directives = scanDirectives(text, format !== 'json');
  const file: SourceFile = { path: relPath, text, format, problems: [], directives };
  if (format === 'shell') {
    const { script, problems } = parseLaunchScript(text, options.scriptSources?.(relPath), options.environment, options.positional, options.sbatchArgs);
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
  if (result.unresolvedTags) file.unresolvedTags = result.unresolvedTags;
  // A JSON or TOML tree, or a YAML one without an alias, repeats no node (engine/fix.ts sharedScalar).
  if (result.tree && (format === 'json' || format === 'toml' || (format === 'yaml' && !text.includes('*')))) markAliasFree(result.tree);
  file.problems = capParseErrors(result.problems);
  return file;
}

function unreadable(relPath: string, message: string): SourceFile {
  const problem: LoadProblem = { kind: 'parse-error', message, range: START };
  return { path: relPath, text: '', format: formatOf(relPath), problems: [problem], directives: { suppressions: [] } };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-32 or UTF-16 by its byte order mark (an editor's "Unicode" save), else undefined. */
function wideEncoding(b: Uint8Array): string | undefined {
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'UTF-32 (little-endian)';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32 (big-endian)';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'UTF-16 (little-endian)';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'UTF-16 (big-endian)';
  return undefined;
}

/** Decode bytes as UTF-8 text; binary or invalid UTF-8 yields a parse-error instead. */
export function decodeSource(relPath: string, bytes: Uint8Array, options: ParseOptions = {}): SourceFile {
  const wide = wideEncoding(bytes);
  if (wide) return unreadable(relPath, `file is ${wide} text (its byte order mark says so); Python reads a config as UTF-8 on Linux (open(), Path.read_text()), so the training code cannot read it as saved: save it as UTF-8`);
  if (bytes.includes(0)) return unreadable(relPath, 'binary file (contains NUL bytes); not a text config');
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return unreadable(relPath, 'file is not valid UTF-8');
  }
  // TextDecoder drops a leading byte order mark; remember it so that --fix writes it back.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const file = parseSource(relPath, text, options);
  if (bom) file.bom = true;
  return file;
}

/**
 * What Python's `json.load` says of a JSON file that starts with a UTF-8 byte order mark (the text
 * it reads from a file opened as UTF-8 starts with U+FEFF): `json.loads` raises "Unexpected UTF-8
 * BOM (decode using utf-8-sig)" at line 1 column 1. The loaders here accept the mark (PyYAML,
 * and so OmegaConf, jsonargparse and ms-swift's `yaml.safe_load`, skip it; so does DeepSpeed's own
 * `hjson.load`), so this is a parse-error only for the frameworks that read the file with
 * `json.load` (HF Transformers' and Accelerate's DeepSpeed config, `HfArgumentParser.parse_json_file`),
 * which only the dialect tells: the caller adds it once the dialect is known. Undefined for a file
 * without the mark, or not JSON.
 */
export function jsonByteOrderMarkProblem(file: Pick<SourceFile, 'format' | 'bom'>): LoadProblem | undefined {
  if (file.format !== 'json' || !file.bom) return undefined;
  return {
    kind: 'parse-error',
    message:
      'invalid JSON: the file starts with a UTF-8 byte order mark, which Python\'s json.load rejects ' +
      '("Unexpected UTF-8 BOM (decode using utf-8-sig)"): save the file as UTF-8 without a BOM',
    range: START,
  };
}

/** Read and parse one file; `typedRegular`: its folder's listing typed it a regular file (`readBounded`). */
export function loadFile(absPath: string, relPath: string, options: ParseOptions & { maxBytes?: number } = {}, typedRegular = false): SourceFile {
  const read = readBounded(absPath, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES, 'maxFileBytes', typedRegular);
  if (!read.ok) return unreadable(relPath, read.why);
  return decodeSource(relPath, read.bytes, options);
}
