#!/bin/bash
# trainlint-disable warmup-exceeds-training
torchrun --nproc_per_node 8 -m open_clip_train.main \
    --train-num-samples 500000 \
    --batch-size 256 \
    --epochs 1
