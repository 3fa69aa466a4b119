#!/bin/bash
# CI smoke run of the SFT recipe.
torchrun --nproc_per_node 2 train.py configs/sft.yaml
