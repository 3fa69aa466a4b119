#!/bin/bash
# Four GPUs: an integer warmup counts scheduler ticks (4 per optimizer step), so 2000 lasts 500 of the 1000 steps.
accelerate launch --num_processes 4 train_network.py \
  --pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5 \
  --train_data_dir=data/train --output_dir=out --output_name=style \
  --network_module=networks.lora --network_dim=32 \
  --train_batch_size=2 --learning_rate=1e-4 --mixed_precision=fp16 \
  --lr_scheduler=cosine --lr_warmup_steps=2000 --max_train_steps=1000
