/** Shared by the dialect tests: the corpus location, fixture loading and config listing. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';

/** ../shared/corpus beside the repository (absent on a fresh clone): see ./shared.ts. */
export { CORPUS, sharedAvailable, sharedDescribe, sharedTest } from './shared';

/** The folder of a dialect's fixtures, `__tests__/fixtures/dialects/<id>`. */
export function fixturesDir(dialectId: string): string {
  return path.join(__dirname, '..', 'fixtures', 'dialects', dialectId);
}

/** Loads `__tests__/fixtures/dialects/<id>/<name>`, named `prefix + name` in findings. */
export function fixtureLoader(dialectId: string, prefix = ''): (name: string) => SourceFile {
  const dir = fixturesDir(dialectId);
  return (name) => parseSource(`${prefix}${name}`, readFileSync(path.join(dir, name), 'utf8'));
}

/** Every config file (YAML, JSON, TOML, shell) below `dir`. */
export function listConfigs(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return listConfigs(full);
    return /\.(ya?ml|json|toml|sh)$/.test(entry) ? [full] : [];
  });
}

/** Every file below `dir`. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}
