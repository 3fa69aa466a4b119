#!/usr/bin/env bash
# Supervised fine-tuning of the support assistant on one 8-GPU node.
# Run from the repository root: bash scripts/train.sh
set -euo pipefail

export WANDB_PROJECT=support-sft
NUM_GPUS=8

torchrun --nproc_per_node "$NUM_GPUS" --master_port 29501 \
  src/train_sft.py --config configs/sft.yaml
