#!/bin/bash
# Four GPUs, fp16 asked of accelerate; the script keeps its own default "no" and divides the warmup.
accelerate launch --num_processes 4 --mixed_precision fp16 train_network.py \
  --pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5 \
  --train_data_dir=data/train --output_dir=out --output_name=mylora \
  --network_module=networks.lora --network_dim=32 \
  --train_batch_size=2 --learning_rate=1e-4 \
  --lr_scheduler=cosine --lr_warmup_steps=200 --max_train_steps=2000
