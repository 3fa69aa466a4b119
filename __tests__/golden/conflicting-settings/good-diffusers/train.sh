#!/bin/bash
# Prodigy adapts its step size: --learning_rate 1.0 is the intended setting, not a finding.
accelerate launch --num_processes 2 train_dreambooth_lora_sdxl.py \
  --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \
  --instance_data_dir=data/dog --instance_prompt="a photo of sks dog" \
  --resolution=1024 --train_batch_size=1 --gradient_accumulation_steps=1 \
  --optimizer=prodigy --learning_rate=1.0 --lr_scheduler=constant --lr_warmup_steps=0 --max_train_steps=800 \
  --checkpointing_steps=200 --mixed_precision=bf16
