#!/bin/bash
python train_network.py \
  --pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5 \
  --train_data_dir=data/train --output_dir=out --output_name=style \
  --network_module=networks.lora --network_dim=32 \
  --train_batch_size=2 --learning_rate=1e-4 \
  --lr_scheduler=cosine --lr_warmup_steps=0.05 --max_train_steps=1000 \
  --mixed_precision=fp16
