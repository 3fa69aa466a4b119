#!/bin/bash
# 10 epochs of cosine, then 10 cooldown epochs at min_lr: half the run is flat.
torchrun --nproc_per_node 4 train.py --data-dir /data/imagenet --model resnet50 \
  -b 64 --grad-accum-steps 2 --opt adamw --lr-base 0.002 --sched cosine \
  --epochs 10 --cooldown-epochs 10 --warmup-epochs 2 --amp
