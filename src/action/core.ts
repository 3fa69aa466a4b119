/**
 * The few runner functions the action uses, written here instead of importing `@actions/core`
 * (which loads an HTTP client at start-up: about 60 ms before the first API call, see
 * docs/performance.md). Same behaviour as @actions/core 1.x for what the action calls:
 * inputs from `INPUT_<NAME>` (spaces → `_`, upper case, trimmed), outputs appended to the
 * `GITHUB_OUTPUT` file as `name<<delimiter` blocks (the `set-output` command without it),
 * `::notice …::` and `::error::` workflow commands escaped like its command.ts, and a failed
 * step as exit code 1.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { escapeCommandData, escapeCommandProperty } from '../report/escape.js';

/** An input's value: `INPUT_<NAME>`, trimmed ('' when unset). */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function commandValue(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

function issue(command: string, properties: Record<string, string>, message: string): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeCommandProperty(v)}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeCommandData(message)}${EOL}`);
}

/** A line of the log. */
export function info(message: string): void {
  process.stdout.write(message + EOL);
}

/** A `::notice::` annotation (with a title when given). */
export function notice(message: string, properties: { title?: string } = {}): void {
  issue('notice', properties.title ? { title: properties.title } : {}, message);
}

/** Fails the step: an `::error::` line and exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issue('error', {}, message);
}

/** A step output: appended to the `GITHUB_OUTPUT` file, or the `set-output` command without it. */
export function setOutput(name: string, value: unknown): void {
  const file = process.env.GITHUB_OUTPUT;
  const text = commandValue(value);
  if (!file) {
    process.stdout.write(EOL);
    issue('set-output', { name }, text);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || text.includes(delimiter)) throw new Error(`Unexpected input: the name or value of output ${name} contains the delimiter`);
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}
