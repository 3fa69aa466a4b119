#!/bin/bash
# --checkpointing_steps is left at 500 on a 300-step run.
accelerate launch train_dreambooth_lora.py \
  --pretrained_model_name_or_path="stable-diffusion-v1-5/stable-diffusion-v1-5" \
  --instance_data_dir=data/dog --instance_prompt="a photo of sks dog" \
  --resolution=512 --train_batch_size=1 --gradient_accumulation_steps=1 \
  --learning_rate=1e-4 --lr_scheduler=constant --lr_warmup_steps=0 --max_train_steps=300
