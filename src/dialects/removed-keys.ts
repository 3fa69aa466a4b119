/**
 * Keys a framework no longer accepts, per dialect, with what replaced them and since which
 * version. The `schema` rule reports each one as an error saying what to write instead, and the
 * dialects do not read them as if they still worked. Only entries checked against the framework's
 * source or its release history are listed (the source is in `source`).
 */
export interface RemovedKey {
  /** The key as a config may spell it (NeoX accepts `-` and `_`). */
  keys: string[];
  /** The key that replaced it, spelled like `keys` (same index), or one spelling for all. */
  replacement: string[] | string;
  /** The version that removed (or renamed) it. */
  since: string;
  /** What the framework does with a file that still has it. */
  refusal: string;
  /** Where this comes from. */
  source: string;
}

const HF_EVALUATION_STRATEGY = {
  keys: ['evaluation_strategy'],
  replacement: 'eval_strategy',
  since: 'transformers 4.46 (deprecated in 4.41, huggingface/transformers#30190)',
  source: 'transformers training_args.py; the 4.41 deprecation warning names 4.46 for the removal',
};

export const REMOVED_KEYS: Readonly<Record<string, readonly RemovedKey[]>> = {
  'gpt-neox': [
    {
      keys: ['save_interval', 'save-interval'],
      replacement: ['checkpoint_factor', 'checkpoint-factor'],
      since: 'GPT-NeoX 2.0 (renamed in EleutherAI/gpt-neox#737, December 2022)',
      refusal: 'NeoX refuses to start: NeoXArgs has no such field (TypeError: unexpected keyword argument)',
      source: 'megatron/neox_arguments/arguments.py: from_ymls passes every key to the NeoXArgs dataclass',
    },
  ],
  'hf-trainer': [{ ...HF_EVALUATION_STRATEGY, refusal: 'HfArgumentParser refuses the file (the key is not a TrainingArguments field)' }],
  maxtext: [
    {
      keys: ['cosine_learning_rate_final_fraction'],
      replacement: 'learning_rate_final_fraction',
      since: 'MaxText e886dd212 (2026-01-13, the WSD schedule, AI-Hypercomputer/maxtext#2883)',
      refusal: 'MaxText refuses the config: its pydantic MaxTextConfig forbids unknown keys (extra="forbid")',
      source: 'src/maxtext/configs/types.py (research/frameworks-wave2-nemo-rl-jax.md §6.1)',
    },
  ],
  'ms-swift': [{ ...HF_EVALUATION_STRATEGY, refusal: 'ms-swift refuses the arguments (HfArgumentParser: the key is not a TrainingArguments field)' }],
  'llama-factory': [{ ...HF_EVALUATION_STRATEGY, refusal: 'LLaMA-Factory (transformers ≥ 4.55) refuses the file ("Some specified arguments are not used by the HfArgumentParser")' }],
};

/** The replacement of `key` in the same spelling. */
export function replacementOf(entry: RemovedKey, key: string): string {
  if (typeof entry.replacement === 'string') return entry.replacement;
  return entry.replacement[Math.max(0, entry.keys.indexOf(key))] ?? entry.replacement[0];
}
