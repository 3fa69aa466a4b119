#!/bin/bash
# 1.3B pretraining: the decay horizon was set to train-iters minus warmup.
torchrun --nproc_per_node 8 pretrain_gpt.py \
  --num-layers 24 --hidden-size 2048 --num-attention-heads 16 \
  --seq-length 2048 --max-position-embeddings 2048 \
  --micro-batch-size 4 --global-batch-size 512 \
  --train-iters 100000 \
  --lr 2.0e-4 --min-lr 2.0e-5 --lr-decay-style cosine \
  --lr-warmup-iters 2000 \
  --lr-decay-iters 98000 \
  --bf16
