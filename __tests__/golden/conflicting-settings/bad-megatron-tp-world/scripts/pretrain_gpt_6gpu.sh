#!/bin/bash
# GPT 1.3B on a 6-GPU workstation, tensor parallel 4.
GPUS_PER_NODE=6
TP=4
torchrun --nproc_per_node=$GPUS_PER_NODE pretrain_gpt.py \
    --tensor-model-parallel-size $TP \
    --pipeline-model-parallel-size 1 \
    --num-layers 24 --hidden-size 2048 --num-attention-heads 16 \
    --seq-length 2048 --max-position-embeddings 2048 \
    --micro-batch-size 2 \
    --global-batch-size 64 \
    --train-iters 20000 \
    --lr-warmup-iters 500 \
    --lr 3e-4 --min-lr 3e-5 --lr-decay-style cosine \
    --bf16 \
    --data-path data/tokens_text_document
