#!/bin/bash
# trainlint: reference=a100.sh
torchrun --nproc_per_node 4 -m open_clip_train.main \
    --train-data '/data/shards/{00000..00999}.tar' \
    --train-num-samples 10000000 \
    --dataset-type webdataset \
    --batch-size 2200 \
    --lr 1.375e-3 \
    --warmup 3636 \
    --epochs 30 \
    --local-loss \
    --gather-with-grad
