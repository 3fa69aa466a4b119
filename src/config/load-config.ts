/**
 * Reads and validates `.trainlint.yml`, and resolves the settings that apply to one file
 * (top-level values, then every matching `overrides` entry in order).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { compiledSchema } from '../engine/compiled-schemas.js';
import { loadYaml } from '../engine/load/yaml.js';
import { CONFIG_KEY, ruleOptionsKey } from '../engine/schema-sources.js';
import { locateNearest, toPlain } from '../engine/tree.js';
import { RULES_BY_ID } from '../rules/index.js';
import { summariseErrors } from '../rules/schema.js';
import { UsageError } from './errors.js';
import type { EffectiveRule, FileSettings, RuleSetting, TrainlintConfig } from './types.js';

export const CONFIG_NAMES = ['.trainlint.yml', '.trainlint.yaml'];

export function asList(globs: string | string[] | undefined): string[] {
  if (globs === undefined) return [];
  return Array.isArray(globs) ? globs : [globs];
}

const compiledGlobs = new Map<string, (p: string) => boolean>();

/** A matcher for the globs, compiled once per distinct list (settingsFor runs once per file). */
export function matcher(globs: string | string[] | undefined): (p: string) => boolean {
  const list = asList(globs);
  if (list.length === 0) return () => false;
  const key = JSON.stringify(list);
  let match = compiledGlobs.get(key);
  if (!match) {
    match = picomatch(list, { dot: true });
    compiledGlobs.set(key, match);
  }
  return match;
}

/** Validate a parsed config text; throws UsageError with `file:line:col: message`. */
export function parseConfig(text: string, displayPath: string): TrainlintConfig {
  const loaded = loadYaml(text, { version: '1.2' });
  const problem = loaded.problems[0];
  if (problem) throw new UsageError(`${displayPath}:${problem.range.line}:${problem.range.column}: ${problem.message}`);
  if (!loaded.tree) return {};
  const data = toPlain(loaded.tree);
  if (data === null) return {};
  // Compiled at build time in dist/ (see engine/compiled-schemas.ts).
  const validateConfig = compiledSchema(CONFIG_KEY);
  if (!validateConfig) throw new Error('the .trainlint.yml schema is missing');
  if (!validateConfig(data)) {
    const messages = summariseErrors(validateConfig.errors ?? []).map((e) => {
      const range = locateNearest(loaded.tree, e.path);
      return `${displayPath}:${range?.line ?? 1}:${range?.column ?? 1}: ${e.message}`;
    });
    throw new UsageError(`invalid configuration:\n${messages.join('\n')}`);
  }
  const config = JSON.parse(JSON.stringify(data)) as TrainlintConfig;
  checkRuleSettings(config, loaded.tree, displayPath);
  return config;
}

function checkRuleSettings(config: TrainlintConfig, tree: Parameters<typeof locateNearest>[0], displayPath: string): void {
  const blocks: [(string | number)[], Record<string, RuleSetting> | undefined][] = [
    [['rules'], config.rules],
    ...(config.overrides ?? []).map((o, i): [(string | number)[], Record<string, RuleSetting> | undefined] => [['overrides', i, 'rules'], o.rules]),
  ];
  for (const [where, rules] of blocks) {
    for (const [id, setting] of Object.entries(rules ?? {})) {
      const at = locateNearest(tree, [...where, id]);
      const loc = `${displayPath}:${at?.line ?? 1}:${at?.column ?? 1}`;
      const rule = RULES_BY_ID.get(id);
      if (!rule) throw new UsageError(`${loc}: unknown rule "${id}" (run \`trainlint rules\` for the list)`);
      const options = Array.isArray(setting) ? setting[1] : undefined;
      if (options === undefined) continue;
      if (!rule.meta.options) throw new UsageError(`${loc}: rule "${id}" takes no options`);
      const validate = compiledSchema(ruleOptionsKey(id));
      if (!validate) throw new Error(`the options schema of ${id} is missing`);
      if (!validate(options)) {
        const detail = summariseErrors(validate.errors ?? []).map((e) => e.message.replace('(root)', 'options')).join('; ');
        throw new UsageError(`${loc}: invalid options for "${id}": ${detail}`);
      }
    }
  }
}

/**
 * Find and read the config: `--config FILE`, else `.trainlint.yml` in the root.
 * A relative `--config` and the path shown in messages are relative to `root` (the CLI's `cwd`
 * or the action's workspace), not to `process.cwd()`: the two differ when the CLI runs in-process
 * with another working directory or the action's workspace is not the process's cwd.
 */
export function readConfig(root: string, explicitPath?: string): { config: TrainlintConfig; path?: string } {
  const candidates = explicitPath ? [path.resolve(root, explicitPath)] : CONFIG_NAMES.map((n) => path.join(root, n));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) {
      if (explicitPath) throw new UsageError(`config file not found: ${explicitPath}`);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read config ${candidate}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { config: parseConfig(text, path.relative(root, candidate) || candidate), path: candidate };
  }
  return { config: {} };
}

function applyRules(target: Map<string, EffectiveRule>, rules: Record<string, RuleSetting> | undefined): void {
  for (const [id, setting] of Object.entries(rules ?? {})) {
    const current = target.get(id);
    if (!current) continue;
    if (Array.isArray(setting)) {
      target.set(id, { severity: setting[0], options: { ...current.options, ...(setting[1] ?? {}) } });
    } else {
      target.set(id, { severity: setting, options: current.options });
    }
  }
}

/** The settings for one file; `cliRules` (from `--rule ID=SEVERITY`) apply last. */
export function settingsFor(config: TrainlintConfig, relPath: string, cliRules: Record<string, RuleSetting> = {}): FileSettings {
  const rules = new Map<string, EffectiveRule>();
  for (const [id, rule] of RULES_BY_ID) rules.set(id, { severity: rule.meta.defaultSeverity, options: { ...(rule.meta.defaultOptions ?? {}) } });
  applyRules(rules, config.rules);
  let assume = { ...(config.assume ?? {}) };
  let mappings = { ...(config.mappings ?? {}) };
  let dialect: string | undefined;
  for (const override of config.overrides ?? []) {
    if (!matcher(override.files)(relPath)) continue;
    applyRules(rules, override.rules);
    assume = { ...assume, ...(override.assume ?? {}) };
    mappings = { ...mappings, ...(override.mappings ?? {}) };
    if (override.dialect) dialect = override.dialect;
  }
  applyRules(rules, cliRules);
  const schemas = (config.schemas ?? []).filter((s) => matcher(s.files)(relPath)).map((s) => s.schema);
  return { rules, assume, mappings, dialect, schemas };
}
