#!/bin/bash
torchrun --nproc_per_node 4 -m open_clip_train.main \
    --train-data '/data/shards/{00000..00999}.tar' \
    --train-num-samples 10000000 \
    --dataset-type webdataset \
    --batch-size 800 \
    --lr 5e-4 \
    --warmup 10000 \
    --epochs 30 \
    --local-loss \
    --gather-with-grad
