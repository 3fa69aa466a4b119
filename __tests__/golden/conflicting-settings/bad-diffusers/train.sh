#!/bin/bash
accelerate launch --num_processes 2 train_dreambooth.py \
  --pretrained_model_name_or_path="stable-diffusion-v1-5/stable-diffusion-v1-5" \
  --instance_data_dir=data/dog --instance_prompt="a photo of sks dog" --train_text_encoder \
  --resolution=512 --train_batch_size=1 --gradient_accumulation_steps=2 \
  --learning_rate=2e-6 --lr_scheduler=constant --lr_warmup_steps=0 --max_train_steps=800 \
  --checkpointing_steps=200
