/**
 * A Hydra config's defaults list, read statically (https://hydra.cc/docs/advanced/defaults_list):
 *
 *   defaults:
 *     - _self_                                   # where this file's own values merge
 *     - actor@actor_rollout_ref.actor: dp_actor  # GROUP_DEFAULT: group actor, option dp_actor, package
 *     - optional tp_overlap@model.cfg:           # optional, null option: skipped
 *     - override hydra/launcher: submitit        # changes an earlier choice
 *     - ppo_trainer                              # CONFIG: a config (relative path), no group choice
 *     - .@model.encoder: base_config             # `.`: this config's own folder
 *
 * Pure: the tree in, the entries out, each with where it is written.
 */
import { getIn, type ConfigNode } from '../tree.js';
import type { Range } from '../types.js';

export interface DefaultsEntry {
  kind: 'self' | 'group' | 'config';
  /** GROUP_DEFAULT: the group path as written (`actor`, `../optim`, `/db`, `.`); CONFIG: its folder part. */
  group: string;
  /** The option(s) chosen (GROUP_DEFAULT), or the config name (CONFIG); empty for a null option. */
  options: string[];
  /** `@pkg` as written. */
  package?: string;
  optional: boolean;
  override: boolean;
  /** The entry as written, for messages. */
  text: string;
  range: Range;
}

export interface DefaultsList {
  entries: DefaultsEntry[];
  /** Entries trainlint cannot read (an interpolated choice, a mapping it does not know). */
  skipped: { text: string; range: Range; why: string }[];
}

const GROUP_KEY = /^(?:(optional|override)\s+)?([^\s@:]*)(?:@([^\s:]*))?$/;

/** The `defaults:` list at the top of a config tree, or undefined when there is none. */
export function readDefaultsList(tree: ConfigNode | undefined): DefaultsList | undefined {
  const hit = getIn(tree, ['defaults']);
  if (!hit || hit.node.kind !== 'seq') return undefined;
  const out: DefaultsList = { entries: [], skipped: [] };
  for (const item of hit.node.items) {
    if (item.kind === 'scalar') {
      if (typeof item.value !== 'string') {
        out.skipped.push({ text: String(item.source), range: item.range, why: 'not a config name' });
        continue;
      }
      const text = item.value.trim();
      if (text === '_self_') {
        out.entries.push({ kind: 'self', group: '', options: [], optional: false, override: false, text, range: item.range });
        continue;
      }
      if (text.includes('${')) {
        out.skipped.push({ text, range: item.range, why: 'an interpolated entry' });
        continue;
      }
      const m = /^(?:(optional)\s+)?([^\s@]+)(?:@(\S*))?$/.exec(text);
      if (!m) {
        out.skipped.push({ text, range: item.range, why: 'not a config path' });
        continue;
      }
      const path = m[2];
      const slash = path.lastIndexOf('/');
      out.entries.push({
        kind: 'config',
        group: slash < 0 ? '' : path.slice(0, slash),
        options: [slash < 0 ? path : path.slice(slash + 1)],
        ...(m[3] !== undefined ? { package: m[3] } : {}),
        optional: m[1] === 'optional',
        override: false,
        text,
        range: item.range,
      });
      continue;
    }
    if (item.kind !== 'map' || item.entries.length !== 1) {
      out.skipped.push({ text: '(entry)', range: item.range, why: 'not a config name or a single group: option pair' });
      continue;
    }
    const entry = item.entries[0];
    const m = GROUP_KEY.exec(entry.key.trim());
    const text = `${entry.key}: ${entry.value.kind === 'scalar' ? String(entry.value.value ?? '') : '[…]'}`;
    if (!m) {
      out.skipped.push({ text, range: entry.keyRange, why: 'not a group key' });
      continue;
    }
    let options: string[];
    const value = entry.value;
    if (value.kind === 'scalar') options = value.value === null || value.value === '' ? [] : [String(value.value)];
    else if (value.kind === 'seq' && value.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) {
      options = value.items.map((i) => String((i as { value: string }).value));
    } else {
      out.skipped.push({ text, range: entry.keyRange, why: 'the option is not a name or a list of names' });
      continue;
    }
    if (options.some((o) => o.includes('${'))) {
      out.skipped.push({ text, range: entry.keyRange, why: 'an interpolated option' });
      continue;
    }
    out.entries.push({
      kind: 'group',
      group: m[2],
      options,
      ...(m[3] !== undefined ? { package: m[3] } : {}),
      optional: m[1] === 'optional',
      override: m[1] === 'override',
      text,
      range: entry.keyRange,
    });
  }
  return out;
}

/** The `# @package …` header of a config file (in the first lines, before any content). */
export function packageHeader(text: string): string | undefined {
  const head = text.slice(0, 4096);
  for (const line of head.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) return undefined;
    const m = /^#\s*@package\s+(\S+)\s*$/.exec(t);
    if (m) return m[1];
  }
  return undefined;
}
