#!/bin/bash
# Transformer on WMT16 En-De: the recipe was tuned on 8 GPUs.
# Run here on 2 GPUs: LR rescaled, warmup not.
CUDA_VISIBLE_DEVICES=0,1 fairseq-train data-bin/wmt16_en_de \
    --arch transformer_wmt_en_de --share-all-embeddings \
    --optimizer adam --adam-betas '(0.9, 0.98)' --clip-norm 0.0 \
    --lr 2.5e-4 \
    --lr-scheduler inverse_sqrt \
    --warmup-updates 4000 \
    --warmup-init-lr 1e-07 \
    --criterion label_smoothed_cross_entropy --label-smoothing 0.1 \
    --max-tokens 4096 \
    --update-freq 2 \
    --max-update 100000 \
    --save-interval-updates 5000 \
    --fp16
