#!/bin/bash
# The full run: the same recipe for 3000 steps.
torchrun --nproc_per_node 8 train.py configs/sft.yaml --max_steps 3000
