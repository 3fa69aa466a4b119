#!/bin/bash
torchrun --nproc_per_node 4 train.py --data-dir /data/imagenet --model resnet50 \
  -b 64 --grad-accum-steps 2 --opt adamw --lr-base 0.002 --sched cosine \
  --epochs 300 --cooldown-epochs 10 --warmup-epochs 5 --amp
