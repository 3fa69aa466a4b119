#!/bin/bash
# A short LoRA run on four GPUs with the legacy SDXL script (it multiplies the scheduler's steps by the
# accumulation, not the process count) and the default --lr_warmup_steps 500.
export MODEL_NAME="stabilityai/stable-diffusion-xl-base-1.0"
accelerate launch --num_processes 4 train_text_to_image_lora_sdxl.py \
  --pretrained_model_name_or_path=$MODEL_NAME \
  --dataset_name="my-org/product-shots" --caption_column="text" \
  --resolution=1024 --train_batch_size=1 \
  --max_train_steps=300 --checkpointing_steps=100 \
  --learning_rate=1e-04 --lr_scheduler="linear" \
  --mixed_precision="fp16" --output_dir="sdxl-product-lora"
