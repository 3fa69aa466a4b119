#!/bin/bash
# argparse converts --learning_rate=1e-4 with type=float: no YAML typing is involved.
accelerate launch --num_processes 1 train_text_to_image.py \
  --pretrained_model_name_or_path=CompVis/stable-diffusion-v1-4 \
  --dataset_name=lambdalabs/naruto-blip-captions \
  --train_batch_size=1 --gradient_accumulation_steps=4 \
  --learning_rate=1e-4 --lr_scheduler=constant --lr_warmup_steps=0 --max_train_steps=1500
