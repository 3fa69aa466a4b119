#!/bin/bash
# 8 processes, accumulation 2: this script multiplies the steps by the accumulation, not the process count.
accelerate launch --num_processes 8 train_text_to_image_sdxl.py \
  --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \
  --dataset_name=lambdalabs/naruto-blip-captions --resolution=1024 \
  --train_batch_size=2 --gradient_accumulation_steps=2 \
  --learning_rate=1e-6 --lr_scheduler=cosine --lr_warmup_steps=500 \
  --max_train_steps=10000 --checkpointing_steps=2500 --mixed_precision=bf16
