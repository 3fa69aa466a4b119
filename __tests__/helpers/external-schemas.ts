/**
 * The official formats our outputs and metadata must satisfy, from npm packages (never copies):
 * - SARIF 2.1.0: the OASIS JSON Schema shipped by Microsoft's SARIF SDK (@microsoft/jest-sarif,
 *   `lib/schemas/sarif-2.1.0-rtm.5.json`, a draft-04 schema), compiled with ajv-draft-04.
 * - GitHub Action metadata and workflow files: GitHub's own parser and schemas
 *   (@actions/workflow-parser), run by ./github-actions-validate.mjs in a child Node process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it. */
export const SARIF_SCHEMA_PATH = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

/** A validator for SARIF 2.1.0 logs. */
export function sarifValidator(): ValidateFunction {
  // unicodeRegExp off: the schema's `language` pattern has a stray `]`, valid ECMA-262 but not with the `u` flag.
  const ajv = new Ajv04({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv as never);
  return ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')));
}

export interface GithubFile {
  kind: 'action' | 'workflow';
  name: string;
  content: string;
}

/** GitHub's parser's error messages for each file (an empty array when the file is valid). */
export function githubErrors(files: GithubFile[]): string[][] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'github-actions-validate.mjs')], {
    input: JSON.stringify(files),
    encoding: 'utf8',
    cwd: path.join(__dirname, '..', '..'),
  });
  return JSON.parse(out);
}
