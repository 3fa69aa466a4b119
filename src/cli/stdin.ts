/**
 * `--stdin [--stdin-filename PATH]` (ESLint's convention): an editor's unsaved buffer, linted as if
 * it were the file at PATH. The path decides the loader (by extension), the `.trainlint.yml`
 * settings and overrides, the reference, the linked files and the repository's launch scripts that
 * name it; only the buffer's own findings are reported. Without a path the text is YAML named
 * `<stdin>`.
 */
import path from 'node:path';
import { UsageError } from '../config/errors.js';
import { ignoreMatcher } from '../config/load-config.js';
import type { TrainlintConfig } from '../config/types.js';
import { decodeSource } from '../engine/load-file.js';
import type { SourceFile } from '../engine/source.js';

export const STDIN_DEFAULT_PATH = '<stdin>';

/** Reads all of standard input, refusing more than `maxBytes` (the `maxFileBytes` limit). */
export async function readProcessStdin(maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > maxBytes) throw new UsageError(`--stdin: the input is larger than ${maxBytes} bytes (maxFileBytes)`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** The root-relative POSIX path a buffer is linted at; a path outside the root is a usage error. */
export function stdinPath(cwd: string, filename: string | undefined): string {
  if (filename === undefined) return STDIN_DEFAULT_PATH;
  const rel = path.relative(path.resolve(cwd), path.resolve(cwd, filename)).split(path.sep).join('/');
  if (rel === '' || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw new UsageError(`--stdin-filename ${filename}: outside the folder trainlint runs in (${cwd}); run it from the repository root`);
  }
  return rel;
}

/** Whether `.trainlint.yml` `ignore` excludes the path (then nothing is linted, as for a folder walk). */
export function stdinIgnored(config: TrainlintConfig, rel: string): boolean {
  return rel !== STDIN_DEFAULT_PATH && ignoreMatcher(config.ignore).ignores(rel);
}

/** The buffer as a source file at `rel`, read as a file there would be (UTF-8, BOM, size checked by the caller). */
export function stdinSource(rel: string, bytes: Uint8Array, config: TrainlintConfig): SourceFile {
  return decodeSource(rel, bytes, { yamlVersion: config.yaml });
}
