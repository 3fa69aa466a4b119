/**
 * A file a lint worker finished, as the main thread keeps it: report-grade and compact.
 *
 * What crosses threads is one JSON text per file, as UTF-8 bytes (postMessage copies bytes without
 * walking them), and the main thread parses it only when something reads the result
 * (`extraction`, `findings`…), so a run holds about a byte per character of JSON per file
 * (outside the JavaScript heap) instead of its objects, and a large one a sixth of that (deflated). The text holds what reports,
 * baselines and `--fix` read: the findings, the plan's values as reports show them, the linked
 * files' and the reference's plans alike, the load problems and directives; not the tree, not
 * the rule inputs of the extraction. JSON is made exact for numbers it cannot hold (Infinity, NaN,
 * -0); anything else that is not plain data stops the encoding (the main thread then lints the
 * batch itself).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Dialect, Extraction } from '../../dialects/types.js';
import type { Reference } from '../../rules/types.js';
import type { PrintedParts } from '../build-report.js';
import type { Directives } from '../directives.js';
import type { FileResult } from '../lint.js';
import type { LinkedPlan } from '../links.js';
import type { LoadProblem } from '../load/result.js';
import type { SourceFile } from '../source.js';
import type { Spool } from './spool.js';
import { settingFields } from '../setting-fields.js';
import type { Finding, Setting, TrainingPlan } from '../types.js';

export interface Payload {
  extraction?: Extraction;
  linked?: LinkedPlan[];
  reference?: Reference;
  findings: Finding[];
  problems: LoadProblem[];
  directives: Directives;
}

const NUMBER_KEY = '$trainlint-number';
const NUMBER_MARK = `"${NUMBER_KEY}"`;

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [NUMBER_KEY]: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new Error(`not plain data: ${Object.prototype.toString.call(value)}`);
  } else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    throw new Error(`not plain data: ${typeof value}`);
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === NUMBER_KEY) {
      const text = (value as Record<string, string>)[NUMBER_KEY];
      return text === '-0' ? -0 : Number(text);
    }
  }
  return value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** A string UTF-8 gives back as it is: no lone surrogate (String.prototype.isWellFormed, Node 20+). */
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * The payload as UTF-8 JSON in a buffer of its own (postMessage copies or moves a view's whole
 * buffer), deflated for large runs: about a sixth of the bytes, for some CPU at both ends.
 */
export function encodePayload(payload: Payload, compress: boolean): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(payload, replacer));
  if (!compress) return bytes;
  const deflated = deflateRawSync(bytes, { level: 1 });
  // Its own buffer (zlib's result may be a view of a larger one).
  return new Uint8Array(deflated);
}

export function decodePayload(stored: { bytes: Uint8Array; compressed: boolean }): Payload {
  const text = decoder.decode(stored.compressed ? inflateRawSync(stored.bytes) : stored.bytes);
  return (text.includes(NUMBER_MARK) ? JSON.parse(text, reviver) : JSON.parse(text)) as Payload;
}

/**
 * Strings shorter than this are never views of another string in V8 (SlicedString::kMinLength, and
 * ConsString's): they hold their own characters.
 */
const VIEW_MIN_LENGTH = 13;

/** Most strings `detached` shares (the values configs repeat: optimizer and scheduler names…); past it, copies. */
const SHARED_MAX = 4096;
const SHARED_LENGTH_MAX = 100;
const shared = new Map<string, string>();

/**
 * The same characters in a string of their own. A value the YAML reader cut out of a file's text
 * (`optimizer: adamw_torch_fused`) is, in V8, a view of that whole text: kept in a finished result,
 * it would keep the text alive for the whole run (5,000 files: ≈ 9 MB of texts of files without
 * findings, each copied by two scavenges on its way to the old generation). Values repeat across
 * files: one copy of each is shared (a Map lookup), unless `share` is false (a text of one file).
 */
export function detached(text: string, share = true): string {
  if (text.length < VIEW_MIN_LENGTH) return text;
  let own = share ? shared.get(text) : undefined;
  if (own !== undefined) return own;
  // A concatenation flattened by `slice`: new characters, not a view of `text`'s parent.
  own = (text + ' ').slice(0, -1);
  if (share && text.length <= SHARED_LENGTH_MAX && shared.size < SHARED_MAX) shared.set(own, own);
  return own;
}

/**
 * `text` made one run of characters in place, when it is a concatenation: V8 keeps a string built
 * by `+` or a template as a tree of its parts until something reads it by index, and reading one
 * character flattens it for good. A finding's message kept for the whole run is such a tree of
 * dozens of parts (5,000 files: ≈ 1 MB more live heap than the same messages flat).
 */
export function flattened(text: string): string {
  if (typeof text === 'string') text.charCodeAt(0);
  return text;
}

/**
 * A plan's settings with what reports show of them (value, origin, unit, file, key, range, how, note, bound).
 * `detach`: for a result kept as objects, its strings are its own, not views of the file's text (`detached`).
 */
export function reportGradePlan(plan: TrainingPlan, detach = false): TrainingPlan {
  const out: Record<string, Setting> = {};
  const settings = plan as Record<string, Setting | undefined>;
  // Keys, not entries: no [field, setting] pair per field of every file's plan.
  for (const field of Object.keys(settings)) {
    const s = settings[field];
    if (!s) continue;
    // One walk of the setting's own fields (setting-fields.ts: loads by name miss V8's caches on settings).
    const { value, origin, unit, file, key, range, how, note, bound } = settingFields(s);
    const v = detach && typeof value === 'string' ? detached(value) : value;
    // Most settings are a key of the file (with a unit or not): made by one literal each, in the
    // same field order as below (not grown a field at a time).
    if (file !== undefined && key !== undefined && range !== undefined && how === undefined && note === undefined && bound === undefined) {
      out[field] = (unit === undefined ? { value: v, origin, file, key, range } : { value: v, origin, unit, file, key, range }) as Setting;
      continue;
    }
    const kept = { value: v, origin } as Setting;
    if (unit !== undefined) kept.unit = unit;
    if (file !== undefined) kept.file = file;
    if (key !== undefined) kept.key = key;
    if (range !== undefined) kept.range = range;
    if (how !== undefined) kept.how = how;
    if (note !== undefined) kept.note = detach ? detached(note, false) : note;
    if (bound !== undefined) kept.bound = bound;
    out[field] = kept;
  }
  return out as TrainingPlan;
}

/**
 * What a finished file keeps of its extraction: its plan (report-grade), where run findings point, `overridable`, and `matched` when it has linked files.
 * `detach`: kept as objects (see reportGradePlan).
 */
export function reportGradeExtraction(e: Extraction, linked = false, detach = false): Extraction {
  // Built by assignment, fields in the same order as before: no temporary object per optional part.
  const kept = { plan: reportGradePlan(e.plan, detach), missing: [], anchor: e.anchor, notes: [] } as Extraction;
  if (e.overridable) kept.overridable = e.overridable;
  // A file with linked files: its run's plan merges them with it (links.ts mergeLinked), reading these too.
  if (linked && e.matched) kept.matched = e.matched;
  return kept;
}

/**
 * The file of a FinishedResult: what it kept of the SourceFile, its load problems and directives
 * read from (and written to) the result's payload, its text from the spool when the result is
 * spooled. A class, so that a run of many files builds plain fast objects rather than one with
 * accessors of its own per file.
 */
class FinishedFile {
  readonly path: string;
  readonly format: SourceFile['format'];
  readonly bom?: boolean;

  /** Not enumerable fields: nothing that walks the file's keys meets the result again. */
  readonly #owner: FinishedResult;
  /** Undefined when the text is in the spool. */
  readonly #text: string | undefined;

  constructor(owner: FinishedResult, file: { path: string; format: SourceFile['format']; bom?: boolean }, text: string | undefined) {
    this.#owner = owner;
    this.#text = text;
    this.path = file.path;
    this.format = file.format;
    if (file.bom) this.bom = true;
  }

  /** Read from the spool each time (readers that need it twice keep it: build-report.ts textsOf). */
  get text(): string {
    return this.#text ?? this.#owner.spooledText();
  }
  get problems(): LoadProblem[] {
    return this.#owner.kept().problems;
  }
  set problems(v: LoadProblem[]) {
    this.#owner.change().problems = v;
  }
  get directives(): Directives {
    return this.#owner.kept().directives;
  }
  set directives(v: Directives) {
    this.#owner.change().directives = v;
  }
}

/** The main thread's result of a file a worker finished. */
export class FinishedResult implements FileResult {
  readonly file: SourceFile;
  dialect?: Dialect;
  reason?: string;
  /**
   * Where the encoded payload is: its bytes, or the spool of a large run (spool.ts: the payload's
   * bytes at `at`; a payload written back by `release()` moves to the end). Undefined when the
   * payload was kept as objects (finished on this thread). Numbers rather than a record object:
   * 50,000 results keep less.
   */
  private stored: Uint8Array | Spool | undefined;
  private at: number = 0;
  private payloadLength: number = 0;
  /** The spool the text is in (its UTF-8 at `textAt`), when it took the text. */
  private readonly textSpool: Spool | undefined;
  private readonly textAt: number = 0;
  private readonly textLength: number = 0;
  private readonly compressed: boolean = false;
  private decoded: Payload | undefined;
  /** The parsed payload differs from the stored one (written back by `release()`). */
  private dirty = false;
  /** Its worker's printed report parts, until something changes. */
  private parts: PrintedParts | undefined;

  constructor(
    file: { path: string; text: string; format: SourceFile['format']; bom?: boolean },
    payload: { bytes: Uint8Array; compressed: boolean } | Payload,
    dialect: Dialect | undefined,
    reason: string | undefined,
    printed?: PrintedParts,
    /** A very large run's spool: where the encoded payload and the text go (spool.ts). */
    spool?: Spool,
  ) {
    let text: string | undefined = file.text;
    // A spool takes the encoded payload and the text, or the text alone of a payload kept as objects
    // (unless the text is not well-formed UTF-16, which UTF-8 would not give back as it is: such a
    // rare text stays in memory). Printed report parts keep the result in memory (a run below the spool's size).
    const into = printed ? undefined : spool;
    const textBytes = into && text && wellFormed(text) ? encoder.encode(text) : undefined;
    let textAt: number | undefined;
    if ('bytes' in payload) {
      this.compressed = payload.compressed;
      const at = into?.put(textBytes ? [payload.bytes, textBytes] : [payload.bytes]);
      if (at === undefined) {
        this.stored = payload.bytes;
      } else {
        this.stored = into;
        this.at = at;
        this.payloadLength = payload.bytes.length;
        if (textBytes) textAt = at + payload.bytes.length;
      }
    } else {
      this.decoded = payload;
      if (textBytes) textAt = into!.put([textBytes]);
    }
    if (textAt !== undefined) {
      this.textSpool = into;
      this.textAt = textAt;
      this.textLength = textBytes!.length;
      text = undefined;
    }
    this.file = new FinishedFile(this, file, text) as unknown as SourceFile;
    this.parts = printed;
    if (dialect) this.dialect = dialect;
    if (reason !== undefined) this.reason = reason;
  }

  /** The payload, parsed on first use and kept until `release()`. */
  kept(): Payload {
    if (this.decoded) return this.decoded;
    const stored = this.stored!;
    const bytes = stored instanceof Uint8Array ? stored : stored.read(this.at, this.payloadLength);
    return (this.decoded = decodePayload({ bytes, compressed: this.compressed }));
  }

  /** Whether the payload is in a spool (a very large run) rather than in memory. */
  get spooled(): boolean {
    return this.stored !== undefined && !(this.stored instanceof Uint8Array);
  }

  /** The text, from the spool (FinishedFile.text). */
  spooledText(): string {
    return decoder.decode(this.textSpool!.read(this.textAt, this.textLength));
  }

  /** The payload, about to be changed (printed parts no longer hold; `release()` writes it back). */
  change(): Payload {
    this.parts = undefined;
    this.dirty = true;
    return this.kept();
  }

  /** The file's parts of the JSON report, when its worker printed them and nothing changed since. */
  printed(): PrintedParts | undefined {
    return this.parts;
  }

  /**
   * Drop the parsed form (a reader that went through every file once). A changed payload is
   * encoded again first (a baseline that hides findings in 50,000 results does not keep every
   * changed plan parsed); one that cannot be encoded stays parsed.
   */
  release(): void {
    if (!this.stored || !this.decoded) return;
    if (this.dirty) {
      let bytes: Uint8Array;
      try {
        bytes = encodePayload(this.decoded, this.compressed);
      } catch {
        return;
      }
      if (this.stored instanceof Uint8Array) {
        this.stored = bytes;
      } else {
        const at = this.stored.put([bytes]);
        // The spool cannot take it: kept parsed, as a result without a spool would be.
        if (at === undefined) return;
        this.at = at;
      }
      this.payloadLength = bytes.length;
      this.dirty = false;
    }
    this.decoded = undefined;
  }

  get extraction(): Extraction | undefined {
    return this.kept().extraction;
  }
  set extraction(v: Extraction | undefined) {
    this.change().extraction = v;
  }
  get linked(): LinkedPlan[] | undefined {
    return this.kept().linked;
  }
  set linked(v: LinkedPlan[] | undefined) {
    this.change().linked = v;
  }
  get reference(): Reference | undefined {
    return this.kept().reference;
  }
  set reference(v: Reference | undefined) {
    this.change().reference = v;
  }
  get findings(): Finding[] {
    return this.kept().findings;
  }
  set findings(v: Finding[]) {
    this.change().findings = v;
  }
}
