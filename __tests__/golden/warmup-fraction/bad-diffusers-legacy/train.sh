#!/bin/bash
# The legacy SDXL script multiplies --lr_warmup_steps by the accumulation (4) and accelerate steps the
# scheduler once per process (2): 500 as written is 1000 of the 2000 optimizer steps.
accelerate launch --num_processes 2 train_text_to_image_sdxl.py \
  --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \
  --dataset_name=lambdalabs/naruto-blip-captions --resolution=1024 \
  --train_batch_size=1 --gradient_accumulation_steps=4 \
  --learning_rate=1e-6 --lr_scheduler=constant_with_warmup --lr_warmup_steps=500 \
  --max_train_steps=2000 --checkpointing_steps=500 --mixed_precision=bf16
