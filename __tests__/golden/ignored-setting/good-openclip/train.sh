#!/bin/bash
# --lr-scheduler const switches the cooldown off in the same command: --lr-cooldown-end is not reported.
torchrun --nproc_per_node 8 -m open_clip_train.main \
    --train-num-samples 10000000 \
    --batch-size 256 \
    --lr 1e-3 \
    --warmup 2000 \
    --lr-scheduler const \
    --lr-cooldown-end 1e-5 \
    --epochs 10
