/** The dialect registry and detection: the highest score wins; ties go to registry order. */
import type { SourceFile } from '../engine/source.js';
import { axolotl } from './axolotl.js';
import { composer } from './composer.js';
import { deepspeed } from './deepspeed.js';
import { lightning } from './lightning.js';
import { litgpt } from './litgpt.js';
import { nanogpt } from './nanogpt.js';
import { olmo } from './olmo.js';
import { torchtitan } from './torchtitan.js';
import { torchtune } from './torchtune.js';
import { generic } from './generic.js';
import { gptNeox } from './gpt-neox.js';
import { hfTrainer } from './hf-trainer.js';
import { llamaFactory } from './llama-factory.js';
import { megatron } from './megatron.js';
import { openclip } from './openclip.js';
import { ultralytics } from './ultralytics.js';
import { kohya } from './kohya.js';
import { diffusers } from './diffusers.js';
import { timm } from './timm.js';
import { verl } from './verl.js';
import { nemo } from './nemo.js';
import { mmengine } from './mmengine.js';
import { detectron2 } from './detectron2.js';
import { msSwift } from './ms-swift.js';
import { openrlhf } from './openrlhf.js';
import { maxtext } from './maxtext.js';
import { levanter } from './levanter.js';
import { fairseq } from './fairseq.js';
import type { RuleContext } from '../rules/types.js';
import type { Dialect, DialectMeta, ExtractEnv, Extraction } from './types.js';
import type { FileFormat } from '../engine/types.js';
import { DetectFacts } from './detect-facts.js';

/** Order breaks score ties: HF-based supersets (axolotl, llama-factory) come before hf-trainer. */
export const DIALECTS: readonly Dialect[] = [openclip, gptNeox, megatron, axolotl, llamaFactory, hfTrainer, deepspeed, torchtune, composer, lightning, torchtitan, litgpt, nanogpt, olmo, verl, nemo, ultralytics, kohya, diffusers, timm, mmengine, detectron2, msSwift, openrlhf, maxtext, levanter, fairseq, generic];

/** Id → the first dialect of that id in registry order (`DIALECTS.find`), built once. */
let BY_ID: Map<string, Dialect> | undefined;

export function dialectById(id: string): Dialect | undefined {
  if (!BY_ID) {
    BY_ID = new Map();
    for (const d of DIALECTS) if (!BY_ID.has(d.meta.id)) BY_ID.set(d.meta.id, d);
  }
  return BY_ID.get(id);
}

export function detectDialect(file: SourceFile, env: ExtractEnv): Dialect | undefined {
  const { dialects, detects } = candidatesFor(file.format);
  let best: Dialect | undefined;
  let bestScore = 0;
  // What many detectors ask of the file (its top-level keys), computed once for all of them.
  const facts = new DetectFacts(file);
  for (let i = 0; i < detects.length; i++) {
    const score = detects[i](file, env, facts);
    if (score > bestScore) {
      best = dialects[i];
      bestScore = score;
    }
  }
  return best;
}

/**
 * The dialects that can claim a file of one format (`meta.formats`), in registry order, and their
 * `detect` functions (none reads `this`): read from one array, not from a property of each dialect
 * (the dialects are object literals of as many shapes, so that read missed V8's inline caches).
 */
interface Candidates {
  readonly dialects: readonly Dialect[];
  readonly detects: readonly Dialect['detect'][];
}

const CANDIDATES = new Map<FileFormat, Candidates>();

function candidatesFor(format: FileFormat): Candidates {
  let list = CANDIDATES.get(format);
  if (!list) {
    const dialects = DIALECTS.filter((d) => !d.meta.formats || d.meta.formats.includes(format));
    CANDIDATES.set(format, (list = { dialects, detects: dialects.map((d) => d.detect) }));
  }
  return list;
}

/**
 * The YAML loader the rules see for a file: the extraction's own when the dialect decides it per file (a
 * Hugging Face YAML read by TrlParser or by HfArgumentParser, as its launch runs it), else the dialect's
 * (`meta`), else, for YAML no dialect claims, PyYAML (or the written text for a file handed on as text).
 */
export function ruleYamlLoader(extraction: Extraction | undefined, meta: DialectMeta | undefined, handedOnAsText: boolean): Pick<RuleContext, 'yamlLoader' | 'yamlLoaderName' | 'yamlParser'> {
  const own = extraction?.yamlLoader;
  const name = meta?.yamlLoaderName ? { yamlLoaderName: meta.yamlLoaderName } : {};
  if (own) return { yamlLoader: own.loader, ...name, yamlParser: { name: own.parser, ...(own.assumed ? { assumed: own.assumed } : {}) } };
  return { yamlLoader: meta?.yamlLoader ?? (handedOnAsText ? 'text' : 'pyyaml'), ...name };
}
