/**
 * The engine side of Hydra composition: the files a defaults list or a launch command names are
 * found and read through the one resolver (repo-files.ts: `resolveWritten`, then `loadFile`, which
 * reads with `readBounded`), never outside the repository. Config folders are the primary config's
 * own folder, then its `hydra.searchpath` entries (`file://dir`, relative to the working directory
 * or the config's folder; `pkg://` entries name installed packages and are not read).
 */
import path from 'node:path';
import { readDefaultsList } from './hydra/defaults-list.js';
import { configCandidates, hydraDecorator, type HydraCommand } from './hydra/command.js';
import { composeConfig, type ComposedConfig, type ConfigLoader, type LoadedConfig } from './hydra/compose.js';
import { loadFile, type ParseOptions } from './load-file.js';
import { describeTried, readBounded, resolveWritten, type PathBase, type RepoRoot, type Resolution } from './repo-files.js';
import type { SourceFile } from './source.js';
import { getIn } from './tree.js';

export interface HydraFiles {
  repo: RepoRoot;
  /** Repository-relative → the path results use (relative to the linted folder). */
  show: (abs: string) => string;
  /** A result path (relative to the linted folder) → repository-relative. */
  toRepo: (rel: string) => string;
  parseOptions: ParseOptions & { maxBytes: number };
}

/** `hydra.searchpath` entries of a primary config that are folders in the repository (`file://…`). */
function searchPath(file: SourceFile): string[] {
  const hit = getIn(file.tree, ['hydra', 'searchpath']);
  if (!hit || hit.node.kind !== 'seq') return [];
  const out: string[] = [];
  for (const item of hit.node.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') continue;
    const m = /^file:\/\/(.+)$/.exec(item.value.trim());
    if (m && !/[$`~]/.test(m[1])) out.push(m[1]);
  }
  return out;
}

/**
 * Compose a Hydra config with the configs its defaults list names, from the repository. `bases` are
 * where a relative `hydra.searchpath` folder is looked for (the working directory first). Undefined
 * when the file has no defaults list.
 */
export function composeFromRepository(file: SourceFile, bases: PathBase[], ctx: HydraFiles, cache: Map<string, LoadedConfig | { missing: string }>): ComposedConfig | undefined {
  if (!readDefaultsList(file.tree)) return undefined;
  const ownDir = path.posix.dirname(ctx.toRepo(file.path));
  const roots: PathBase[] = [{ dir: ownDir, label: "the config's folder" }];
  for (const sp of searchPath(file)) {
    for (const b of bases) roots.push({ dir: path.posix.normalize(path.posix.join(b.dir, sp)), label: `hydra.searchpath ${sp} from ${b.label}` });
    roots.push({ dir: path.posix.normalize(path.posix.join(ownDir, sp)), label: `hydra.searchpath ${sp} from the config's folder` });
  }
  const loader: ConfigLoader = (rel) => {
    const resolution = resolveWritten(ctx.repo, rel, roots);
    if (!resolution.found) return { missing: `not in the repository (tried ${describeTried(resolution.tried)})` };
    const key = resolution.found.abs;
    const cached = cache.get(key);
    if (cached) return cached;
    const loaded = loadFile(resolution.found.abs, ctx.show(resolution.found.abs), ctx.parseOptions);
    const problem = loaded.problems.find((p) => p.kind === 'parse-error');
    const out: LoadedConfig = { path: loaded.path, text: loaded.text, ...(loaded.tree ? { tree: loaded.tree } : {}), ...(problem ? { problem: `cannot be read: ${problem.message}` } : {}) };
    cache.set(key, out);
    return out;
  };
  return composeConfig({ path: file.path, text: file.text, tree: file.tree }, loader);
}

/**
 * The config file a Hydra command names, resolved from the command's working directory (`bases`):
 * `--config-path`/`--config-name`, or the `@hydra.main` decorator of the application's Python file
 * when it is in the repository.
 */
export function resolveCommandConfig(command: HydraCommand, bases: PathBase[], ctx: HydraFiles): Resolution & { candidates: string[] } {
  let decorator: ReturnType<typeof hydraDecorator>;
  if ((!command.configPath && !command.configDir) || !command.configName) {
    if (command.app && !/[$`]/.test(command.app)) {
      const app = resolveWritten(ctx.repo, command.app, bases);
      if (app.found) {
        const read = readBounded(app.found.abs, ctx.parseOptions.maxBytes);
        if (read.ok) decorator = hydraDecorator(read.bytes.toString('utf8'));
      }
    }
  }
  const candidates = configCandidates(command, decorator).map((c) => path.posix.join(c.dir, c.name));
  const tried: Resolution['tried'] = [];
  for (const candidate of candidates) {
    const r = resolveWritten(ctx.repo, candidate, bases);
    if (r.found) return { ...r, tried: [...tried, ...r.tried], candidates };
    tried.push(...r.tried);
  }
  return { tried, candidates };
}
