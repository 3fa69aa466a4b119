/**
 * Detection is unambiguous: every dialect fixture is fed to every detector. The fixture's own
 * dialect must win with a strictly higher score than any other (registry order never decides
 * between two real frameworks), except the documented negative fixtures, which no dialect or
 * only the named one may claim.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DIALECTS } from '../../src/dialects/index';
import { parseSource } from '../../src/engine/load-file';

const ROOT = path.join(__dirname, '..', 'fixtures', 'dialects');
const EXT = /\.(ya?ml|json|toml|sh|py)$/;

/** Fixtures kept to prove a detector says no (see each folder's PROVENANCE.md). */
const NOT_CLAIMED: Record<string, string | null> = {
  'deepspeed/neox_125M.yml': 'gpt-neox', // GPT-NeoX: DeepSpeed blocks inside, NeoX semantics
  'megatron/llama3-nemo_8b_mr_mbs1_gbs8_mcore_te_8experts_tp2_ep2_pp2_dgx_a100_1N8G/model_config.yaml': null, // NeMo-run, not Megatron argparse
  'nemo/negative/lightning_cli.yaml': 'lightning', // a plain Lightning CLI config: trainer + model, no NeMo markers
  'nemo/negative/megatron_model_base_config.yaml': null, // a model-architecture fragment
  'nemo/negative/transcribe.yaml': null, // an inference config
  'verl/negative/config.json': null, // a model-architecture config
  'verl/negative/generation.yaml': null, // an inference (generation) config
  // Config-group fragments a Hydra defaults list composes: no plan of their own.
  'verl/repo/verl/trainer/config/actor/actor.yaml': null,
  'verl/repo/verl/trainer/config/actor/dp_actor.yaml': null,
  'verl/repo/verl/trainer/config/critic/dp_critic.yaml': null,
  'verl/repo/verl/trainer/config/optim/fsdp.yaml': null,
  'verl/repo/verl/trainer/config/rollout/rollout.yaml': null,
  // Pieces of an MMEngine `_base_` chain or detectron2 LazyConfig modules: not training configs alone.
  'mmengine/configs/_base_/default_runtime.py': null,
  'mmengine/configs/_base_/models/faster-rcnn_r50_fpn.py': null,
  'mmengine/configs/_base_/datasets/coco_detection.py': null,
  'detectron2/configs/common/train.py': null,
  'detectron2/configs/common/optim.py': null,
  'detectron2/configs/common/data/coco.py': null,
  // rlrest: an accelerate config and an FSDP JSON beside ms-swift scripts, a draccus `!include` data
  // file, a Lightning config with a `trainer:` block, a MaxText model-architecture file, a pyproject.
  'ms-swift/negative/multi_node.yaml': null,
  'ms-swift/negative/fsdp.json': null,
  'levanter/data/openwebtext.yaml': null,
  'levanter/negative/lightning.yaml': 'lightning',
  'maxtext/repo/configs/models/llama2-7b.yml': null,
  'hf-trainer/trl/pinned-range/pyproject.toml': null,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : EXT.test(name) ? [p] : [];
  });
}

const fixtures = readdirSync(ROOT).flatMap((id) => files(path.join(ROOT, id)).map((p) => [path.relative(ROOT, p).split(path.sep).join('/'), id] as const));

test('there are fixtures for every registered dialect except generic', () => {
  const ids = new Set(fixtures.map(([, id]) => id));
  for (const d of DIALECTS) if (d.meta.id !== 'generic') expect(ids).toContain(d.meta.id);
});

test.each(fixtures)('%s is claimed by its dialect alone', (rel, id) => {
  const file = parseSource(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
  const env = { assume: {}, mappings: {} };
  const scores = DIALECTS.map((d) => [d.meta.id, d.detect(file, env)] as const).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  if (rel in NOT_CLAIMED) {
    const allowed = NOT_CLAIMED[rel];
    expect(scores.filter(([d]) => d !== allowed)).toEqual([]);
    return;
  }
  expect(scores[0]?.[0]).toBe(id);
  // Frameworks built on the HF Trainer may also look like hf-trainer; they must still score higher.
  if (scores[1]) expect(scores[0][1]).toBeGreaterThan(scores[1][1]);
});
