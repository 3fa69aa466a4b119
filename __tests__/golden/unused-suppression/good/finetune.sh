#!/bin/bash
# trainlint-disable warmup-exceeds-training -- short smoke test of the data pipeline; the schedule does not matter
torchrun --nproc_per_node 8 -m open_clip_train.main \
    --train-num-samples 500000 \
    --batch-size 256 \
    --epochs 1
