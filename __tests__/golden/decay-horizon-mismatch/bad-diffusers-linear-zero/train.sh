#!/bin/bash
# 4 processes, accumulation 1: the linear schedule reaches 0 at a quarter of the run and stays there.
accelerate launch --num_processes 4 train_text_to_image_sdxl.py \
  --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \
  --dataset_name=lambdalabs/naruto-blip-captions --resolution=1024 \
  --train_batch_size=4 --gradient_accumulation_steps=1 \
  --learning_rate=1e-6 --lr_scheduler=linear --lr_warmup_steps=0 \
  --max_train_steps=8000 --checkpointing_steps=2000 --mixed_precision=bf16
