#!/bin/bash
# train_text_to_image.py multiplies warmup and run by the process count: the cosine ends with the run.
accelerate launch --num_processes 8 train_text_to_image.py \
  --pretrained_model_name_or_path=stabilityai/stable-diffusion-2-1 \
  --dataset_name=lambdalabs/naruto-blip-captions --resolution=768 \
  --train_batch_size=2 --gradient_accumulation_steps=2 \
  --learning_rate=1e-6 --lr_scheduler=cosine --lr_warmup_steps=500 \
  --max_train_steps=10000 --checkpointing_steps=2500 --mixed_precision=bf16
