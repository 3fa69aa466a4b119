#!/bin/bash
accelerate launch train_dreambooth.py \
  --pretrained_model_name_or_path="stable-diffusion-v1-5/stable-diffusion-v1-5" \
  --instance_data_dir=data/dog --instance_prompt="a photo of sks dog" \
  --resolution=512 --train_batch_size=1 --gradient_accumulation_steps=1 \
  --learning_rate=5e-6 --lr_scheduler=constant_with_warmup --lr_warmup_steps=20 --max_train_steps=400 \
  --checkpointing_steps=100
