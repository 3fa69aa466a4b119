/**
 * OmegaConf, statically: reads a config block and follows plain `${path.to.key}` references
 * within the same file, as OmegaConf resolves them for the training script. Resolvers
 * (`${oc.env:X}`), relative references and cycles stay unresolved, with a note. Nothing is
 * executed. Used by the composer, torchtune and olmo dialects.
 */
import type { YamlLoader } from '../dialects/types.js';
import { scalarNumber } from './plan.js';
import type { SourceFile } from './source.js';
import { getIn, type ConfigNode } from './tree.js';
import type { KeyPath, Range, Setting } from './types.js';
// ---------------------------------------------------------------------------------------------

/** A plain absolute reference `${a.b.c}` (no resolver `x:`, no relative `.a`, nothing around it). */
const PLAIN_REF = /^\$\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}$/;
const MAX_REF_DEPTH = 10;

export interface OmegaHit {
  /** The node the key finally holds, after references were followed. */
  node: ConfigNode;
  /** Range of the key as written at the requested path. */
  keyRange: Range;
  /** "interpolated from `${variables.max_seq_len}` (line 4)" when references were followed. */
  via?: string;
  /** Why a reference was left unresolved (the value is then unknown). */
  unresolved?: string;
}

/**
 * Reads values of an OmegaConf config that lives at `prefix` in a file (`[]`, or
 * `['parameters']` for an mcli run file). References are resolved from the block root, as
 * OmegaConf resolves them in the YAML the training script receives. Unresolvable references
 * are collected in `notes`.
 */
export class OmegaReader {
  readonly notes: string[] = [];

  constructor(
    readonly file: SourceFile,
    readonly prefix: KeyPath,
    readonly root: ConfigNode,
    readonly loader: YamlLoader = 'omegaconf',
  ) {}

  /** The key as written in the file (with the block prefix). */
  key(path: KeyPath): string {
    return [...this.prefix, ...path].join('.');
  }

  lookup(path: KeyPath): OmegaHit | undefined {
    const hit = getIn(this.root, path);
    if (!hit) return undefined;
    let node = hit.node;
    const chain: string[] = [];
    let lastRange = hit.keyRange;
    for (;;) {
      if (node.kind !== 'scalar' || typeof node.value !== 'string' || !node.value.includes('${')) break;
      const ref = PLAIN_REF.exec(node.value.trim());
      const text = node.value.trim();
      if (!ref) return { node, keyRange: hit.keyRange, unresolved: `\`${text}\` is an OmegaConf resolver or string interpolation; trainlint does not evaluate it` };
      if (chain.includes(ref[1])) return { node, keyRange: hit.keyRange, unresolved: `\`${text}\` is a circular reference` };
      if (chain.length >= MAX_REF_DEPTH) return { node, keyRange: hit.keyRange, unresolved: `\`${text}\`: references nested deeper than ${MAX_REF_DEPTH}` };
      const target = getIn(this.root, ref[1].split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
      if (!target) return { node, keyRange: hit.keyRange, unresolved: `\`${text}\` names no key in this file` };
      chain.push(ref[1]);
      node = target.node;
      lastRange = target.keyRange;
    }
    if (chain.length === 0) return { node, keyRange: hit.keyRange };
    return { node, keyRange: hit.keyRange, via: `interpolated from \`\${${chain[0]}}\` (${this.key([chain[chain.length - 1]])}, line ${lastRange.line})` };
  }

  private unresolvedNote(path: KeyPath, hit: OmegaHit): void {
    if (hit.unresolved) this.notes.push(`${this.key(path)}: ${hit.unresolved}, so its value is unknown`);
  }

  /** A numeric Setting (OmegaConf typing), following references. */
  number(path: KeyPath): Setting<number> | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar') return undefined;
    const num = scalarNumber(hit.node, this.loader);
    if (!num) return undefined;
    const note = [hit.via, num.note].filter(Boolean).join('; ');
    return {
      value: num.value,
      origin: 'explicit',
      file: this.file.path,
      key: this.key(path),
      range: hit.keyRange,
      // A literal written under this key may be rewritten by --fix; an interpolated one lives elsewhere.
      ...(hit.via ? {} : { valueRange: hit.node.range }),
      ...(note ? { note } : {}),
    };
  }

  /** A string (or any scalar, as text) Setting, following references; null is absent. */
  string(path: KeyPath): Setting<string> | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar' || hit.node.value === null) return undefined;
    return { value: String(hit.node.value), origin: 'explicit', file: this.file.path, key: this.key(path), range: hit.keyRange, ...(hit.via ? { note: hit.via } : {}) };
  }

  /** The raw scalar (after references) with the Setting fields, for values that may be a number or a string. */
  scalar(path: KeyPath): { value: string | number | boolean; setting: Omit<Setting, 'value'> } | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar' || hit.node.value === null) return undefined;
    const setting: Omit<Setting, 'value'> = { origin: 'explicit', file: this.file.path, key: this.key(path), range: hit.keyRange, ...(hit.via ? { note: hit.via } : {}) };
    return { value: hit.node.value, setting };
  }

  has(path: KeyPath): boolean {
    return getIn(this.root, path) !== undefined;
  }
}
