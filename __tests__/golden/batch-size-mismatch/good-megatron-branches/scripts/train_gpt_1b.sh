#!/bin/bash
# GPT 1B pretraining on one node; set NNODES above 1 for a multi-node run.
NNODES=1
GPUS_PER_NODE=8
MODEL=1b

if [ "$NNODES" -gt 1 ]; then
  GLOBAL_BATCH=1024
else
  GLOBAL_BATCH=512
fi

case "$MODEL" in
  350m) MICRO=8 ;;
  1b | 1.3b) MICRO=4 ;;
  *) MICRO=1 ;;
esac

torchrun --nproc_per_node $GPUS_PER_NODE --nnodes $NNODES pretrain_gpt.py \
  --num-layers 24 --hidden-size 2048 --num-attention-heads 16 \
  --seq-length 2048 --max-position-embeddings 2048 \
  --micro-batch-size $MICRO --global-batch-size $GLOBAL_BATCH \
  --lr 3e-4 --min-lr 3e-5 --lr-decay-style cosine --lr-warmup-iters 2000 --train-iters 100000 \
  --bf16 --data-path data/tokens_text_document
