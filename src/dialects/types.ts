/** The contract every framework dialect implements: detect a file, extract its plan. */
import type { HydraInput } from '../engine/hydra/view.js';
import type { OverrideStyle } from '../engine/launch-overrides.js';
import type { MatchedValues } from '../engine/links.js';
import type { PackagePin } from '../engine/package-pins.js';
import type { SourceFile } from '../engine/source.js';
import type { ConfigNode } from '../engine/tree.js';
import type { FileFormat, PlanField, Range, Setting, TrainingPlan } from '../engine/types.js';
import type { DetectFacts } from './detect-facts.js';

/**
 * How the framework's loader types YAML scalars (see engine/load/yaml.ts): PyYAML (YAML 1.1),
 * OmegaConf (YAML 1.1, but `1e-4` is a float), pydantic (PyYAML, then validators coerce the
 * string to the declared type), or 'text' (each value is handed on as its written text, e.g.
 * Megatron's functional tests pass MODEL_ARGS through `yq … | tostring` to argparse), or 'yacs'
 * (detectron2: PyYAML, then `literal_eval` of every string, so `1e-4` is a float, then a type check against
 * the default's type that refuses a float for an int key: `MAX_ITER: 1e4` stops the run).
 */
export type YamlLoader = 'pyyaml' | 'omegaconf' | 'pydantic' | 'text' | 'yacs';

export interface DialectMeta {
  id: string;
  title: string;
  /** One line on the files this dialect reads. */
  description: string;
  /** How the training code loads its YAML; irrelevant for non-YAML dialects. */
  yamlLoader: YamlLoader;
  /** The loader as messages name it, when not the default name of `yamlLoader` ("jsonargparse (LightningCLI)"). */
  yamlLoaderName?: string;
  /** File name in schemas/dialects/, if the dialect has a built-in schema. */
  schema?: string;
  /**
   * The built-in schema for this file, when it depends on the file's format (kohya: GUI JSON presets and
   * sd-scripts TOML/flags are typed differently, and a JSON Schema cannot see the format). When set, its
   * answer replaces `schema` (undefined: no built-in schema for this file).
   */
  schemaFor?(file: SourceFile): string | undefined;
  /**
   * The framework composes its YAML with Hydra (verl, NeMo): the engine composes the config's
   * defaults list from the repository's files and hands launch-script overrides to `extract` through
   * `ExtractEnv.hydra` (see engine/hydra/view.ts).
   */
  hydra?: boolean;
  /**
   * Set when the framework's loader refuses a file with a repeated key (OmegaConf.load raises
   * "found duplicate key"): the clause `duplicate-key` prints. Absent: the last value wins.
   */
  rejectsDuplicateKeys?: string;
  /**
   * How the framework applies what a launch command writes after the config (engine/launch-overrides.ts):
   * 'argparse' (HfArgumentParser / TrlParser flags), 'click' (axolotl's CLI options), 'dotlist' (OmegaConf
   * `key=value` words). The launch's plan then holds those values (origin 'launcher'). Absent: none.
   */
  launchOverrides?: OverrideStyle[];
  /**
   * The framework's short or other spellings of its options (`-b` for `--batch_size`: timm's train.py):
   * flag → key, for the launch overrides (a single-dash flag is otherwise not read as one).
   */
  flagAliases?: Readonly<Record<string, string>>;
  /**
   * How the framework reads a `.json` config, for a file that starts with a UTF-8 byte order mark:
   * 'json' (Python's `json.load`/`json.loads`, which rejects the mark: a parse-error), 'yaml' (a YAML
   * loader, which skips it: nothing), 'json-or-hjson' (DeepSpeed's config: HF Transformers and Accelerate
   * read it with `json.load` when a trainer names it, DeepSpeed's own `--deepspeed_config` with hjson,
   * which skips the mark: a warning that names both). Absent: 'json'.
   */
  jsonLoader?: 'json' | 'yaml' | 'json-or-hjson';
  /**
   * YAML tags the framework's loader constructs beyond PyYAML's SafeLoader (`yaml.safe_load`, OmegaConf's
   * loader), each as written (`'!include'`) or as a prefix ending in `/` (`'!!python/'`: detectron2 falls back to
   * `yaml.unsafe_load`); 'any' for a loader that keeps every tag (Megatron's yq; the generic dialect's in-house
   * loader). Absent: SafeLoader's own, so any other tag stops the load (engine/yaml-tags.ts, a parse-error).
   */
  yamlTags?: 'any' | readonly string[];
  /**
   * The file formats `detect` can score above 0: `detectDialect` does not ask it about a file of
   * another format. Absent: any format.
   */
  formats?: readonly FileFormat[];
}

/**
 * Values a config does not hold: `.trainlint.yml` `assume` (plain numbers/strings, origin
 * 'assumed'), or whole Settings from a launch command that names the config (origin 'launcher',
 * `trainlint exec`). And `mappings` for the generic dialect.
 */
export interface ExtractEnv {
  assume: Partial<Record<PlanField, number | string | Setting>>;
  /** Canonical field → key path (dot-separated) for the generic dialect. */
  mappings: Partial<Record<PlanField, string>>;
  /** For Hydra dialects (meta.hydra): the composed defaults list and the launch's overrides, from the engine. */
  hydra?: HydraInput;
  /**
   * The version the repository pins for a Python package (`trl==0.16.1` in requirements.txt,
   * pyproject.toml or setup.py, nearest the config first; engine/package-pins.ts), when the engine
   * can look: read lazily, only by a dialect whose checks depend on the version.
   */
  packagePin?: (pkg: string) => PackagePin | undefined;
}

export interface MissingField {
  field: PlanField;
  /** How the user can supply it, e.g. "pass --train-num-samples or set assume.datasetSamples". */
  hint: string;
}

/**
 * Settings that contradict each other, as the dialect knows them (`fp16` with `bf16`, warmup
 * as steps and ratio, a DeepSpeed `warmup_max_lr` that differs from the optimizer LR). Reported by
 * the `conflicting-settings` rule. A value another setting makes inert is an IgnoredSetting instead.
 */
export interface Conflict {
  /** Short stable kind, e.g. "precision", "warmup-steps-and-ratio". */
  kind: string;
  message: string;
  /** Where to report (the second/overriding key); in this file. */
  range: Range;
  /** 'info' for a contradiction the framework resolves harmlessly (axolotl drops fp16 next to bf16); default 'error'. */
  level?: 'error' | 'info';
  data?: Record<string, unknown>;
}

/**
 * A value written in a config that the framework silently ignores or overrides (through a
 * default, another key or the launcher): Ultralytics `lr0` under `optimizer: auto`, a warmup
 * under a `constant` scheduler, an unknown sd-scripts key, a save interval with no save folder.
 * Reported by the `ignored-setting` rule. A value whose feature the user explicitly switched off
 * in the same config (Megatron `--eval-iters 0`) is not an IgnoredSetting: it is not reported.
 * A key the framework rejects at start-up is a `schema` error instead, never both.
 */
export interface IgnoredSetting {
  /** The key or flag as written. */
  key: string;
  /** Where the ignored key is written, in this file. */
  range: Range;
  /** What ignores or overrides it and what the run really uses, with numbers. */
  message: string;
  /** The ignored value is the LR or the run length: reported as an error, else a warning. */
  critical?: boolean;
  data?: Record<string, unknown>;
}

/**
 * What the framework's own config system rejects while loading, before training starts: Hydra's
 * error for an override it cannot apply (`Could not override 'a.b'`), an override it cannot parse.
 * Reported by the `schema` rule at `range` (in this file).
 */
export interface ConfigError {
  message: string;
  range: Range;
  data?: Record<string, unknown>;
}

/**
 * A batch or parallel-size identity the framework asserts at start-up, computed by the dialect with
 * the framework's own arithmetic (verl's `validate_config`, NeMo's sampler): reported by
 * `batch-size-mismatch` at `range`. `check` names the framework's assertion in its own words.
 */
export interface BatchCheck {
  /** Short stable kind, e.g. "train-batch-not-divisible", "rollout-tp-does-not-divide". */
  kind: string;
  message: string;
  range: Range;
  data?: Record<string, unknown>;
}

export interface Extraction {
  plan: TrainingPlan;
  /** The values the HF Trainer compares with a DeepSpeed file beyond the plan's fields (engine/links.ts TRAINER_MATCHED_KEYS). */
  matched?: MatchedValues;
  /** Fields a rule needs that stay unknown, with how to supply them. */
  missing: MissingField[];
  /** Where findings about the whole run point when the cause has no key (the command, the file start). */
  anchor: Range;
  /** Contradictory settings found while extracting (see Conflict). */
  conflicts?: Conflict[];
  /** Remarks on the extraction (e.g. "3 training commands in this script; the first is linted"). */
  notes: string[];
  /**
   * What the framework's schedule does once training runs past the decay horizon: holds the
   * floor ('flat', it clamps), climbs back up ('rises', an unclamped cosine) or falls below the
   * floor ('negative', an unclamped linear or sqrt decay), or trains on at a learning rate of 0
   * ('zero', MaxText past `learning_rate_schedule_steps`). Absent when it is not known.
   */
  afterDecay?: 'flat' | 'rises' | 'negative' | 'zero';
  /**
   * Rule id → how the framework itself rejects that problem when the run starts (after the
   * GPUs are allocated), e.g. "Megatron refuses to start (validate_args asserts min_lr <= lr)".
   * Set only where the framework's check applies to this file.
   */
  launchChecks?: Record<string, string>;
  /**
   * How the framework runs an explicit global batch that micro-batch × data-parallel size does not
   * divide, when it does not reject it (see launchChecks): 'floor' floors the per-device batch and
   * the accumulation and so steps on a smaller batch (litgpt, OLMo); 'per-device' only splits the
   * global batch over the devices and cuts each device's share into micro-batches, the last one
   * smaller, so only global % data-parallel size matters (Composer's split; llm-foundry itself
   * refuses a global batch the data-parallel size does not divide, through its launchChecks).
   */
  globalBatchRounding?: 'floor' | 'per-device';
  /**
   * What the framework does when the run ends, as the dialect knows it from the framework's code:
   * `save`/`eval` is the clause to print when it saves a checkpoint / evaluates at the last step
   * ("Megatron saves once more at the end (with --save)"), false when it does not. Absent: unknown.
   */
  atRunEnd?: {
    save?: string | false;
    eval?: string | false;
    /**
     * Checkpoints or evaluations the framework also makes at epoch ends, whatever the step interval (fairseq's
     * `--save-interval` / `--validate-interval`, 1 epoch by default), as a clause: "fairseq saves every epoch
     * (--save-interval 1) and when training stops". A step interval longer than the run then leaves only those.
     */
    epochEnds?: { save?: string; eval?: string };
  };
  /** The key that sets the decay horizon falls back to the run length when it is left out (Megatron --lr-decay-iters). */
  decayDefaultsToRun?: boolean;
  /** Written values the framework ignores or overrides (see IgnoredSetting). */
  ignored?: IgnoredSetting[];
  /**
   * The loader of this file's YAML when it depends on how the file is run, in place of `meta.yamlLoader`: a
   * Hugging Face YAML is typed by TrlParser (argparse converts `1e-4`) or by HfArgumentParser.parse_yaml_file
   * (it stays a string), as its launch command shows. `assumed` says which loader was assumed and why when
   * no launch shows it; the rules whose reading depends on the parser print it. `parser` names it in messages.
   */
  yamlLoader?: { loader: YamlLoader; parser: string; assumed?: string };
  /** Errors of the framework's config loading (Hydra overrides), reported by `schema` (see ConfigError). */
  configErrors?: ConfigError[];
  /**
   * A tree the `schema` rule validates against the dialect's schema when the file has none of its
   * own: a launch script's Hydra overrides as a config tree, each value at its place in the script.
   */
  schemaTree?: ConfigNode;
  /** Start-up batch and parallel-size assertions that fail (see BatchCheck), reported by `batch-size-mismatch`. */
  batchChecks?: BatchCheck[];
  /**
   * Set when the launch command hands the script's own arguments on (`"$@"`): whoever runs it can
   * override what trainlint read. `range` is the `"$@"`, possibly in a launch script.
   */
  overridable?: { file: string; range: Range; message: string };
  /**
   * A reference the config itself implies, for the rules that compare with one (lr-not-rescaled,
   * warmup-not-rescaled), used when no reference is declared and `--base` gives none: the batch an
   * MMEngine file name's `NxbM` says the LR was tuned for, `auto_scale_lr.base_batch_size`, the
   * detectron2 `_BASE_` config a child inherits its LR from.
   */
  reference?: { plan: TrainingPlan; label: string; path: string };
}

/**
 * One training dataset a config names. 'path': a file in the repository (the first candidate that
 * exists); 'hub': a dataset id looked up in the documented table of public datasets
 * (engine/dataset-catalog.ts); 'path-or-hub': a path when that file exists, else a hub id (axolotl
 * `path:`); 'catalog': a LLaMA-Factory `dataset_info.json` name; 'bundled': a set the framework
 * ships with a fixed size.
 */
export interface DatasetRef {
  kind: 'path' | 'hub' | 'path-or-hub' | 'catalog' | 'bundled';
  /** The path, id or name as written (several candidates for a folder that holds `train.json`/`train.jsonl`). */
  names: string[];
  key: string;
  range: Range;
  /** Hub split ('train', 'train_sft'). */
  split?: string;
  /** For 'bundled': the row count and where it comes from. */
  rows?: number;
  source?: string;
  /** Keep at most this many rows of the dataset (LLaMA-Factory `max_samples`), with the key that says so. */
  maxSamples?: { value: number; key: string };
  /** Take this fraction of the rows (alignment-handbook `dataset_mixer`). */
  fraction?: number;
}

/** What a config trains on, for a row count (origin 'dataset' in the plan; engine/datasets.ts). */
export interface DatasetRequest {
  /** Summed (a mixture of datasets). */
  refs: DatasetRef[];
  /**
   * Rows held out for validation: a fraction (< 1) of the total, or a count. `ceil` is Hugging Face
   * `train_test_split` (the test side rounds up); `floor` is torch `random_split` (litgpt).
   */
  validation?: { value: number; key: string; rounding: 'ceil' | 'floor' };
  /** Folder of LLaMA-Factory's `dataset_info.json` and its files (`dataset_dir`, default `data`). */
  catalogDir?: string;
  /** Set when rows are not samples (pretraining text chunked into blocks): no count is made. */
  skip?: string;
}

export interface Dialect {
  meta: DialectMeta;
  /**
   * A score > 0 when the file looks like this dialect (higher wins), 0 otherwise. `facts` is what
   * many detectors ask of the file (its top-level keys), computed once by `detectDialect` for all
   * of them; a detector called on its own computes them.
   */
  detect(file: SourceFile, env: ExtractEnv, facts?: DetectFacts): number;
  extract(file: SourceFile, env: ExtractEnv): Extraction;
  /** The training data the config names, for a row count (pure: the engine reads the files). */
  datasets?(file: SourceFile): DatasetRequest | undefined;
  /**
   * Whether `extract` would derive anything from the dataset's rows (`datasetSamples`), given the
   * plan it made without them. False only when every derivation that reads the rows lacks another
   * input in that plan: the engine then adds the counted rows to the plan instead of extracting the
   * file again (lint-file.ts `countDatasets`). Absent: the file is extracted again with the rows.
   */
  usesDatasetRows?(plan: TrainingPlan): boolean;
}
