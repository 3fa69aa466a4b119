/**
 * Policy from the base revision: on PRs, `.trainlint.yml` and the JSON Schemas it names are read
 * from the base commit when they exist there, so a PR cannot switch off the rule that blocks it.
 * A PR that edits policy gets a notice naming the file. `trust-pr-config: true` opts out
 * (ignored under pull_request_target, whose head is never trusted).
 */
import path from 'node:path';
import { CONFIG_NAMES, MAX_CONFIG_BYTES, parseConfig, readConfig } from '../config/load-config.js';
import { decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import type { TrainlintConfig } from '../config/types.js';
import { readAtCommit } from './git.js';

export interface Policy {
  config: TrainlintConfig;
  /** Base-revision texts of the user schemas the config names, by the path it writes. */
  schemaTexts?: Map<string, string>;
  /** Where the config came from. */
  source: 'base' | 'head' | 'none';
  /** Repo-relative path of the config file used, if any. */
  configPath?: string;
  /** User-facing notices (policy edits). */
  notices: string[];
}

export interface PolicyOptions {
  root: string;
  /** The `config` input. */
  configInput?: string;
  /** Base commit, present locally; undefined = no base policy. */
  baseSha?: string;
  isPullRequest: boolean;
  trustPrConfig: boolean;
  /**
   * Reads files at the base revision when `baseSha` is only a synthetic commit holding what the
   * REST contents API gave (the real base commit could not be fetched): the schemas the base
   * policy names are fetched the same way, so they too come from the base.
   */
  fetchBase?: (paths: string[]) => Promise<Map<string, string | null>>;
  log: (s: string) => void;
}

/** The head (working tree) text of a policy file, through the engine's resolver; null when refused. */
function readHead(root: string, rel: string): string | null {
  const read = readRepoFile(repoRootOf(root), rel, MAX_CONFIG_BYTES, 'the size limit of a policy file');
  return read.ok ? (decodeUtf8(read.bytes) ?? null) : null;
}

function headPolicy(root: string, configInput?: string): Policy {
  const { config, path: abs } = readConfig(root, configInput);
  return { config, source: abs ? 'head' : 'none', configPath: abs ? path.relative(root, abs).split(path.sep).join('/') : undefined, notices: [] };
}

/** The policy files a pull request's base revision is read for: the `config` input, else `.trainlint.yml` / `.trainlint.yaml`. */
export function basePolicyNames(configInput?: string): string[] {
  return configInput ? [path.posix.normalize(configInput.replace(/\\/g, '/'))] : CONFIG_NAMES;
}

export async function resolvePolicy(opts: PolicyOptions): Promise<Policy> {
  const { root, baseSha } = opts;
  if (!opts.isPullRequest || !baseSha) return headPolicy(root, opts.configInput);
  if (opts.trustPrConfig) {
    opts.log('trainlint: trust-pr-config is true: the PR’s own .trainlint.yml and schemas are used');
    return headPolicy(root, opts.configInput);
  }
  const short = baseSha.slice(0, 7);
  const names = basePolicyNames(opts.configInput);
  for (const name of names) {
    const baseText = await readAtCommit(root, baseSha, name);
    if (baseText === null) continue;
    const notices: string[] = [];
    let config: TrainlintConfig;
    try {
      config = parseConfig(baseText, `${name} (base ${short})`);
    } catch (err) {
      opts.log(`trainlint: ${name} at the base revision ${short} is invalid (${(err as Error).message.split('\n')[0]}); using the PR's`);
      return headPolicy(root, opts.configInput);
    }
    if (readHead(root, name) !== baseText) {
      notices.push(`This PR edits ${name}; trainlint used the policy from the base revision ${short}. The new policy applies once merged.`);
    }
    const schemaTexts = await baseSchemas(config, opts, notices);
    return { config, schemaTexts, source: 'base', configPath: name, notices };
  }
  const head = headPolicy(root, opts.configInput);
  if (head.configPath) head.notices.push(`This PR adds ${head.configPath}, which does not exist at the base revision ${short}; the PR's policy was used.`);
  return head;
}

/** The base version of every schema the base config names (kept in memory, never written out). */
async function baseSchemas(config: TrainlintConfig, opts: PolicyOptions, notices: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (!config.schemas?.length || !opts.baseSha) return texts;
  for (const entry of config.schemas) {
    if (texts.has(entry.schema)) continue;
    const rel = path.posix.normalize(entry.schema.replace(/\\/g, '/'));
    // Only paths inside the repository are looked up at the base; others are refused by the engine.
    if (rel.startsWith('../') || path.posix.isAbsolute(rel)) continue;
    const baseText = (await readAtCommit(opts.root, opts.baseSha, rel)) ?? (opts.fetchBase ? ((await opts.fetchBase([rel])).get(rel) ?? null) : null);
    if (baseText === null) continue;
    if (readHead(opts.root, rel) !== baseText) {
      notices.push(`This PR edits the schema ${rel}; trainlint used its version from the base revision ${opts.baseSha.slice(0, 7)}.`);
    }
    texts.set(entry.schema, baseText);
  }
  return texts;
}
