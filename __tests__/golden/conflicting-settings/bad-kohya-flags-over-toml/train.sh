#!/bin/bash
# The TOML keeps a constant LR without warmup; the command line adds a warmup, which sd-scripts
# rejects for the constant scheduler (the flags win over the TOML, the scheduler stays the TOML's).
accelerate launch --num_processes 4 sdxl_train_network.py \
  --config_file configs/style_lora.toml \
  --lr_warmup_steps 0.05 --max_train_steps 6000
