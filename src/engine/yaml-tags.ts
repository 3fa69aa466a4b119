/**
 * YAML tags the framework cannot load. PyYAML's SafeLoader (`yaml.safe_load`; OmegaConf's loader is one)
 * has constructors for the standard tags only: a config with `!include` or `!!python/tuple` (what
 * `yaml.dump` writes for a tuple) stops the run while it loads, with "could not determine a constructor
 * for the tag …". Whether a framework's loader constructs more is its dialect's to say
 * (`DialectMeta.yamlTags`). Reported as a parse-error at the tag, once a dialect has claimed the file;
 * the schema rule leaves the tagged value alone (the tag is the one cause).
 */
import type { DialectMeta, YamlLoader } from '../dialects/types.js';
import type { UnresolvedTag } from './load/result.js';

/** Whether the loader of `meta` constructs `tag` (as written: `!include`, `!!python/tuple`). */
export function constructsTag(meta: Pick<DialectMeta, 'yamlTags'>, tag: string): boolean {
  const accepted = meta.yamlTags;
  if (accepted === 'any') return true;
  return !!accepted?.some((a) => (a.endsWith('/') ? tag.startsWith(a) : tag === a));
}

/** The tags of a file that its framework's loader stops on. */
export function unconstructedTags(tags: readonly UnresolvedTag[] | undefined, meta: Pick<DialectMeta, 'yamlTags'>): UnresolvedTag[] {
  return tags?.filter((t) => !constructsTag(meta, t.tag)) ?? [];
}

/** The tag as PyYAML names it in its error: `!!x` is `tag:yaml.org,2002:x`. */
function pyyamlTagName(tag: string): string {
  return tag.startsWith('!!') ? `tag:yaml.org,2002:${tag.slice(2)}` : tag;
}

const LOADERS: Record<YamlLoader, string> = {
  pyyaml: 'yaml.safe_load',
  pydantic: 'yaml.safe_load',
  omegaconf: "OmegaConf's loader (a PyYAML SafeLoader)",
  yacs: 'yaml.safe_load, then yaml.unsafe_load',
  text: 'yq',
};

/** The message of a parse-error at an unconstructed tag. */
export function unconstructedTagMessage(tag: string, meta: Pick<DialectMeta, 'title' | 'yamlLoader'>): string {
  return (
    `${meta.title} loads this file with ${LOADERS[meta.yamlLoader]}, which has no constructor for the tag \`${tag}\`: ` +
    `the run stops while loading the config (yaml.constructor.ConstructorError: "could not determine a constructor for the tag '${pyyamlTagName(tag)}'"); ` +
    'write the value itself instead of the tag'
  );
}
