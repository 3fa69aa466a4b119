#!/bin/bash
accelerate launch --mixed_precision fp16 train_dreambooth_lora_flux.py \
  --pretrained_model_name_or_path=black-forest-labs/FLUX.1-dev \
  --instance_data_dir=data/dog --instance_prompt="a photo of sks dog" \
  --resolution=512 --train_batch_size=1 --gradient_accumulation_steps=4 \
  --learning_rate=1e-4 --lr_scheduler=constant --lr_warmup_steps=100 --max_train_steps=500 \
  --checkpointing_steps=100 --mixed_precision=bf16
