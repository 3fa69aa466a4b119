#!/bin/bash
# The A100 recipe ran on 8 GPUs.
torchrun --nproc_per_node 8 train.py cfg/sft-a100.yaml
