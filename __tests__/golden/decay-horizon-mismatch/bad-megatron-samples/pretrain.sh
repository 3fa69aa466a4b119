#!/bin/bash
# Sample-based pretraining: the decay horizon is twice the training length.
torchrun --nproc_per_node 8 pretrain_gpt.py \
  --num-layers 24 --hidden-size 2048 --num-attention-heads 16 \
  --seq-length 2048 --max-position-embeddings 2048 \
  --micro-batch-size 4 --global-batch-size 256 \
  --train-samples 25600000 \
  --lr 2.0e-4 --min-lr 2.0e-5 --lr-decay-style cosine \
  --lr-warmup-samples 512000 \
  --lr-decay-samples 51200000 \
  --bf16
