#!/usr/bin/env bash
# The 70B run: ZeRO-3 and a larger micro-batch, given on the command line over configs/sft.yaml
# (TrlParser applies the flags after the config). The ZeRO-3 file pins 8 × 4 × 8 = 256, and the
# command asks for micro-batch 8: they agree.
set -euo pipefail
torchrun --nproc_per_node 8 src/train_sft.py --config configs/sft.yaml \
  --model_name_or_path meta-llama/Llama-3.1-70B \
  --per_device_train_batch_size 8 --deepspeed configs/ds_z3.json
