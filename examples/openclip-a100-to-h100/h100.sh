#!/bin/bash
# The same run moved to 4×H100: per-GPU batch 2200 → global batch 8,800.
# Everything else was copied from the A100 script. ImageNet zero-shot top-1: 10.4%.
# trainlint: reference=a100.sh
torchrun --nproc_per_node 4 -m open_clip_train.main \
    --model ViT-B-32 \
    --train-data '/data/laion-10m/{00000..00999}.tar' \
    --train-num-samples 10000000 \
    --dataset-type webdataset \
    --batch-size 2200 \
    --lr 5e-4 \
    --wd 0.2 \
    --warmup 10000 \
    --epochs 30 \
    --precision amp_bf16 \
    --workers 8 \
    --local-loss \
    --gather-with-grad
