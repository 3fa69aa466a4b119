#!/bin/bash
# RoBERTa-style pretraining on one 8-GPU node: validation every 200k updates never comes in a 50k-update run,
# so only the epoch-end validation (every 5 epochs here) is left.
CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 fairseq-train data-bin/wikitext-103 \
    --task masked_lm --criterion masked_lm --arch roberta_base \
    --optimizer adam --adam-betas '(0.9, 0.98)' --clip-norm 0.0 \
    --lr 5e-4 --lr-scheduler polynomial_decay --warmup-updates 2500 --total-num-update 50000 \
    --max-tokens 8192 --update-freq 4 \
    --max-update 50000 \
    --validate-interval 5 \
    --validate-interval-updates 200000 \
    --no-save \
    --fp16
