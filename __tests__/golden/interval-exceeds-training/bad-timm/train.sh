#!/bin/bash
# timm's wrapper on 4 GPUs: a 10-epoch fine-tune that validates (and checkpoints) only every 20 epochs.
./distributed_train.sh 4 /data/imagenet --model resnet50 --pretrained \
  -b 64 --grad-accum-steps 2 --opt adamw --lr-base 0.002 --sched cosine \
  --epochs 10 --warmup-epochs 1 --val-interval 20 --checkpoint-hist 3 --amp
