/**
 * What a loaded `.trainlint.yml` names that leads nowhere, one line each with the place of the
 * entry: a `files` entry that gives no file to lint (a config a pull request deleted or renamed,
 * a glob that matches nothing), a `references` key that names no file. Neither stops the lint: on
 * a pull request the policy comes from the base revision, which the pull request cannot change.
 */
import path from 'node:path';
import { followFilesEntry, isNegatedGlob } from '../engine/discover.js';
import { checkRepoPath, repoRootOf } from '../engine/repo-files.js';
import { compileGlob, isGlob, showGlob } from './glob.js';
import { asList, configPlaces } from './load-config.js';
import type { TrainlintConfig } from './types.js';

/**
 * The notes for `config` after a lint of `root` that read the files the policy names (no paths
 * were given: a lint of named files says nothing about the rest of the policy), and linted the
 * files `linted` (root-relative POSIX paths, as results name them). Each note is
 * `file:line:column: message`.
 */
export function policyNotes(root: string, config: TrainlintConfig, linted: Iterable<string>): string[] {
  const places = configPlaces(config);
  const shown = places?.displayPath ?? '.trainlint.yml';
  const notes: string[] = [];
  const lintedPaths = [...new Set(linted)];
  asList(config.files).forEach((entry, i) => {
    if (isNegatedGlob(entry)) return;
    const why = unmatchedFilesEntry(root, entry, lintedPaths);
    if (why !== undefined) notes.push(`${places?.files[i] ?? shown}: files entry ${showGlob(entry)} matches no file to lint${why ? ` (${why})` : ''}`);
  });
  const repo = repoRootOf(root);
  for (const key of Object.keys(config.references ?? {})) {
    const check = checkRepoPath(repo, key);
    if (!check.ok) notes.push(`${places?.references.get(key) ?? shown}: references: ${showGlob(key)}: ${check.why === 'does not exist' ? 'no such file' : check.why}; this reference is not used`);
  }
  return notes;
}

/** Undefined when the entry gave a linted file; else why not ('' when there is nothing more to say). */
function unmatchedFilesEntry(root: string, entry: string, linted: string[]): string | undefined {
  const target = followFilesEntry(root, entry);
  if (target.kind === 'nothing' && isGlob(entry)) {
    const glob = compileGlob(entry);
    return linted.some((p) => glob.test(p)) ? undefined : '';
  }
  if (target.kind === 'nothing') return target.why.replace(/; not (read|followed)$/, '');
  const rel = path.posix.normalize(entry.replace(/\\/g, '/'));
  if (target.kind === 'file') return linted.includes(rel) ? undefined : 'a later `!` entry takes it away';
  const prefix = rel === '.' ? '' : `${rel.replace(/\/$/, '')}/`;
  return linted.some((p) => p.startsWith(prefix)) ? undefined : 'no config file in the folder is linted';
}
