/**
 * Reading a Hydra dialect's values: what the composed config (and its overrides) says, else the
 * framework's packaged default from the dialect's key table (origin 'default'). A key the config
 * sets to `null` is null, not the default. Shared by the verl and nemo dialects.
 */
import { OmegaReader, type NumericResolver } from '../engine/omega-reader.js';
import { defaultSetting } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import type { HydraView } from '../engine/hydra/view.js';
import type { Range, Setting } from '../engine/types.js';

export type DefaultValue = number | string | boolean | null;

export class HydraValues {
  readonly reader: OmegaReader;

  constructor(
    readonly file: SourceFile,
    readonly view: HydraView,
    /** The framework's packaged defaults: dotted key → value (null: unset). */
    readonly defaults: Readonly<Record<string, DefaultValue>>,
    resolvers: Record<string, NumericResolver> = {},
    /** Words for the default's note ("verl default", "NeMo's megatron_gpt_config.yaml"). */
    readonly defaultsLabel = 'framework default',
  ) {
    this.reader = new OmegaReader(file, [], view.config.root, 'omegaconf', { sources: view.config.sources, resolvers });
  }

  private path(key: string): string[] {
    return key.split('.');
  }

  /** Whether the config writes the key (any value, null included). */
  has(key: string): boolean {
    return this.reader.has(this.path(key));
  }

  /** The value written is null (`~`, `null`). */
  isNull(key: string): boolean {
    const hit = this.reader.lookup(this.path(key));
    if (hit) return !hit.unresolved && hit.node.kind === 'scalar' && hit.node.value === null;
    return Object.hasOwn(this.defaults, key) && this.defaults[key] === null;
  }

  private fallback<T extends number | string | boolean>(key: string, want: 'number' | 'string' | 'boolean'): Setting<T> | undefined {
    if (this.has(key) || !Object.hasOwn(this.defaults, key)) return undefined;
    const d = this.defaults[key];
    if (d === null || typeof d !== want) return undefined;
    return { ...defaultSetting(d as number | string, key, this.defaultsLabel), value: d as T } as Setting<T>;
  }

  num(key: string): Setting<number> | undefined {
    const s = this.reader.number(this.path(key));
    if (s) return s;
    this.shellNote(key);
    return this.fallback<number>(key, 'number');
  }

  /** A value a launch script left as an unset shell variable (`trainer.nnodes=$NNODES`): unknown, said once. */
  private shellNote(key: string): void {
    const hit = this.reader.lookup(this.path(key));
    if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string' || !/\$(?:[A-Za-z_{(]|\d)|`/.test(hit.node.value)) return;
    const src = this.reader.sourceOf(hit.entry);
    const where = src ? `${src.file}:${hit.keyRange.line}` : `line ${hit.keyRange.line}`;
    const note = `${key} = ${hit.node.value} (${where}): a shell expansion the script does not resolve, so the value is unknown`;
    if (!this.reader.notes.includes(note)) this.reader.notes.push(note);
  }

  str(key: string): Setting<string> | undefined {
    return this.reader.string(this.path(key)) ?? this.fallback<string>(key, 'string');
  }

  bool(key: string): Setting<boolean> | undefined {
    const s = this.reader.scalar(this.path(key));
    if (s) return typeof s.value === 'boolean' ? { ...s.setting, value: s.value } : undefined;
    return this.fallback<boolean>(key, 'boolean');
  }

  /** Where a key is written in this file (for findings), if it is. */
  rangeOf(...settings: (Setting | undefined)[]): Range | undefined {
    for (const s of settings) if (s?.range && s.file === this.file.path && s.origin !== 'default') return s.range;
    return undefined;
  }
}

/** Every dotted prefix of the table's keys: the sections a packaged config certainly has. */
export function knownKeys(defaults: Readonly<Record<string, DefaultValue>>): (path: string[]) => boolean {
  const set = new Set<string>();
  for (const key of Object.keys(defaults)) {
    const parts = key.split('.');
    for (let i = 1; i <= parts.length; i++) set.add(parts.slice(0, i).join('.'));
  }
  return (path) => set.has(path.join('.'));
}
