#!/bin/bash
# Fine-tune ViT-B-16 on our captioned product photos (one node).
torchrun --nproc_per_node 4 -m open_clip_train.main \
    --model ViT-B-16 \
    --pretrained laion2b_s34b_b88k \
    --train-data data/products/train.csv \
    --csv-img-key filepath --csv-caption-key title \
    --train-num-samples 50000 \
    --batch-size 16 \
    --lr 1e-5 \
    --warmup 10 \
    --epochs 5 \
    --precision amp
