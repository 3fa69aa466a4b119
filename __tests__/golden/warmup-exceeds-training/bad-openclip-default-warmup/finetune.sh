#!/bin/bash
torchrun --nproc_per_node 8 -m open_clip_train.main \
    --train-data '/data/shards/{00000..00999}.tar' \
    --train-num-samples 500000 \
    --dataset-type webdataset \
    --batch-size 256 \
    --lr 1e-5 \
    --wd 0.1 \
    --epochs 1 \
    --local-loss \
    --gather-with-grad
