#!/bin/bash
accelerate launch --num_processes 1 train_text_to_image_lora.py \
  --pretrained_model_name_or_path=CompVis/stable-diffusion-v1-4 \
  --dataset_name=lambdalabs/naruto-blip-captions --resolution=512 \
  --train_batch_size=1 --gradient_accumulation_steps=4 \
  --learning_rate=2.5e-07 --scale_lr --lr_scheduler=cosine --lr_warmup_steps=100 \
  --max_train_steps=8000 --checkpointing_steps=1000 --mixed_precision=fp16
