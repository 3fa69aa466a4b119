#!/bin/bash
# Single node: 8 GPUs.
torchrun --standalone --nproc_per_node=8 train.py configs/sft.yaml
