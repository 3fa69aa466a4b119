/** The action's inputs (action.yml), read and validated once. */
import * as core from './core.js';

import type { FailOn } from './fail-on.js';
import { DEFAULT_API_TIME_LIMIT_S } from './octokit.js';

export type { FailOn };
export type AnnotationMode = 'auto' | 'checks' | 'commands' | 'off';

export interface Inputs {
  files: string[];
  config?: string;
  failOn: FailOn;
  /** Explicit base ref; undefined = from the event. */
  baseRef?: string;
  /** undefined = the event's default (true on PRs and merge groups, false otherwise). */
  onlyChanged?: boolean;
  annotations: AnnotationMode;
  summary: boolean;
  comment: boolean;
  sarifFile?: string;
  token: string;
  trustPrConfig: boolean;
  /** Most seconds the action spends on GitHub API calls (`api-time-limit`). */
  apiTimeLimit: number;
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new InputError(`input ${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
}

function bool(name: string, fallback: boolean | undefined): boolean | undefined {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(raw)) return true;
  if (['false', 'no', 'off', '0'].includes(raw)) return false;
  throw new InputError(`input ${name} must be true or false (got ${JSON.stringify(raw)})`);
}

function seconds(name: string, fallback: number): number {
  const raw = core.getInput(name).trim();
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) throw new InputError(`input ${name} must be a number of seconds between 1 and 3600 (got ${JSON.stringify(raw)})`);
  return value;
}

export function readInputs(): Inputs {
  const files = core
    .getInput('files')
    .split(/\s+/)
    .filter((s) => s !== '');
  return {
    files,
    config: core.getInput('config').trim() || undefined,
    failOn: oneOf('fail-on', ['error', 'warning', 'never'] as const, 'error'),
    baseRef: core.getInput('base-ref').trim() || undefined,
    onlyChanged: bool('only-changed', undefined),
    annotations: oneOf('annotations', ['auto', 'checks', 'commands', 'off'] as const, 'auto'),
    summary: bool('summary', true) ?? true,
    comment: bool('comment', false) ?? false,
    sarifFile: core.getInput('sarif-file').trim() || undefined,
    token: core.getInput('token').trim(),
    trustPrConfig: bool('trust-pr-config', false) ?? false,
    apiTimeLimit: seconds('api-time-limit', DEFAULT_API_TIME_LIMIT_S),
  };
}
