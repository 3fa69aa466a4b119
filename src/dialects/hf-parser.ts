/**
 * Which parser reads a Hugging Face TrainingArguments YAML, and so how its scalars are typed:
 *
 * - TrlParser (`trl sft|dpo|grpo --config x.yaml`, open-r1's and alignment-handbook's current scripts,
 *   `TrlParser(...).parse_args_and_config()`): `yaml.safe_load`, then each value becomes an argparse
 *   default (`set_defaults_with_config`), and argparse converts a string default with the field's
 *   `type=`: `learning_rate: 1e-4` (the string "1e-4" for PyYAML) ends up the float 0.0001, while an
 *   int field refuses it (`max_steps: 1e4`: "invalid int value"). Typed like 'pydantic'.
 * - HfArgumentParser.parse_yaml_file (`python run_sft.py recipe.yaml`, alignment-handbook's older
 *   H4ArgumentParser): `yaml.safe_load`, then the dataclass gets the values as loaded: "1e-4" stays a
 *   string. Typed like 'pyyaml'.
 *
 * The launch command decides when a script in the repository names the config (launchProgramOf); otherwise
 * the parser is assumed, and the assumption is said (`assumed`), never silent. Facts:
 * research/frameworks-wave2-nemo-rl-jax.md §1.1 (TrlParser), transformers `hf_argparser.py`.
 */
import { launchProgramOf } from '../engine/launch-overrides.js';
import type { SourceFile } from '../engine/source.js';
import { hasKey } from '../engine/tree.js';
import { trlKind } from './trl.js';
import type { Extraction } from './types.js';

/** Programs known to read their config with TrlParser: TRL's own scripts and open-r1's. */
const TRL_PROGRAMS = [/(?:^|\/)trl\/scripts\/\w+\.py$/, /^trl\.scripts\.\w+$/, /(?:^|\/)open_r1\/\w+\.py$/, /^open_r1\.\w+$/];

/** SFTConfig keys that TrainingArguments does not have: a TRL config even without GRPO/DPO keys. */
const TRL_SFT_KEYS = ['dataset_text_field', 'completion_only_loss', 'assistant_only_loss', 'packing', 'packing_strategy'];

/** The YAML loader of a Hugging Face config as this file is run: the launch's program, else an assumption that says so. */
export function hfYamlLoader(file: SourceFile): NonNullable<Extraction['yamlLoader']> {
  const trl = { loader: 'pydantic', parser: 'TrlParser' } as const;
  const hf = { loader: 'pyyaml', parser: 'HfArgumentParser.parse_yaml_file' } as const;
  const launch = launchProgramOf(file);
  const hfAssumed = (why: string) => ({ ...hf, assumed: `parser assumed: HfArgumentParser.parse_yaml_file (${why}); TrlParser (\`trl sft --config\`) would convert it` });
  if (launch) {
    if (launch.cli?.startsWith('trl ')) return trl;
    if (launch.program && TRL_PROGRAMS.some((re) => re.test(launch.program!))) return trl;
    if (launch.configFlag === '--config') return { ...trl, assumed: "parser assumed: TrlParser (the launch names the config with --config, TrlParser's flag)" };
    if (launch.configFlag === '') return hfAssumed('the launch passes the YAML as a positional path');
  }
  const kind = trlKind(file);
  const sftKey = TRL_SFT_KEYS.find((k) => hasKey(file.tree, k));
  if (kind || sftKey) {
    const what = kind ? `a TRL ${kind.toUpperCase()} config` : `a TRL config (${sftKey})`;
    return { ...trl, assumed: `parser assumed: TrlParser (${what} that no launch script names, as \`trl ${kind ?? 'sft'} --config\` reads it)` };
  }
  return hfAssumed('no launch script names this config');
}
