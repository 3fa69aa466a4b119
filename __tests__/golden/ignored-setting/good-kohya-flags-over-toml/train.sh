#!/bin/bash
# Four GPUs; the command line overrides the TOML's integer warmup with a ratio (argparse parses it
# into the TOML's namespace, so the flags win), and trains longer in fp16.
accelerate launch --num_processes 4 sdxl_train_network.py \
  --config_file configs/style_lora.toml \
  --lr_warmup_steps 0.05 --max_train_steps 6000 --mixed_precision fp16
