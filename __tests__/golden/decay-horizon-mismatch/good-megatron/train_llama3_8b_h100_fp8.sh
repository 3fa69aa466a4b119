#!/bin/bash
# Llama 3 8B pretraining on one H100 node with FP8 compute (Transformer Engine), Megatron-LM.
# Sample-based schedule: train, warmup and decay lengths are given in samples, not iterations.
# Usage: train_llama3_8b_h100_fp8.sh [CKPT_DIR] [TB_DIR] [TOKENIZER|MOCK] [DATA_PREFIX|MOCK]

set -euo pipefail
export CUDA_DEVICE_MAX_CONNECTIONS=${CUDA_DEVICE_MAX_CONNECTIONS:-1}

CKPT_DIR=${1:-"runs/llama3_8b_fp8/ckpt"}
TB_DIR=${2:-"runs/llama3_8b_fp8/tb"}
TOKENIZER=${3:-"MOCK"}
DATA_PREFIX=${4:-"MOCK"}
CACHE_DIR="${PWD}/.cache/llama3_8b_fp8"
mkdir -p "$CKPT_DIR" "$TB_DIR" "$CACHE_DIR"

# One node, eight GPUs
GPUS_PER_NODE=8
NUM_NODES=1
MASTER_ADDR=${MASTER_ADDR:-localhost}
MASTER_PORT=${MASTER_PORT:-29500}
NODE_RANK=${NODE_RANK:-0}

# Parallel layout and batch: pure data parallel, 128 sequences per step
TP_SIZE=1
CP_SIZE=1
MICRO_BATCH_SIZE=1
GLOBAL_BATCH_SIZE=128
SEQ_LENGTH=8192
USE_FP8=1

LAUNCH_ARGS=(
    --nproc_per_node $GPUS_PER_NODE
    --nnodes $NUM_NODES
    --node_rank $NODE_RANK
    --master_addr $MASTER_ADDR
    --master_port $MASTER_PORT
)

MODEL_ARGS=(
    --use-mcore-models
    --num-layers 32
    --hidden-size 4096
    --ffn-hidden-size 14336
    --num-attention-heads 32
    --group-query-attention
    --num-query-groups 8
    --kv-channels 128
    --seq-length $SEQ_LENGTH
    --max-position-embeddings $SEQ_LENGTH
    --position-embedding-type rope
    --rotary-base 500000
    --swiglu
    --untie-embeddings-and-output-weights
    --disable-bias-linear
    --attention-dropout 0.0
    --hidden-dropout 0.0
    --init-method-std 0.0134
)

TRAINING_ARGS=(
    --micro-batch-size $MICRO_BATCH_SIZE
    --global-batch-size $GLOBAL_BATCH_SIZE
    --train-samples 1953125000
    --lr 0.00015
    --min-lr 0.00001
    --lr-decay-style cosine
    --lr-warmup-samples 3906252
    --lr-decay-samples 1949218748
    --weight-decay 0.1
    --adam-beta1 0.9
    --adam-beta2 0.95
    --clip-grad 1.0
    --bf16
    --grad-reduce-in-bf16
    --cross-entropy-loss-fusion
    --manual-gc
    --exit-duration-in-mins 230
)

FP8_ARGS=()
if [[ "$USE_FP8" == "1" ]]; then
    FP8_ARGS+=(
        "--fp8-format hybrid"
        "--fp8-amax-history-len 1024"
        "--fp8-amax-compute-algo max"
    )
fi

PARALLEL_ARGS=(
    --tensor-model-parallel-size $TP_SIZE
    --context-parallel-size $CP_SIZE
    --use-distributed-optimizer
    --overlap-grad-reduce
    --overlap-param-gather
)

DATA_ARGS=()
if [[ "$TOKENIZER" == "MOCK" || "$DATA_PREFIX" == "MOCK" ]]; then
    DATA_ARGS+=(
        "--mock-data"
        "--tokenizer-type NullTokenizer"
        "--vocab-size 128256"
        "--data-cache-path ${CACHE_DIR}"
        "--split '99,1,0'"
    )
else
    DATA_ARGS+=(
        "--data-path $DATA_PREFIX"
        "--tokenizer-type HuggingFaceTokenizer"
        "--tokenizer-model $TOKENIZER"
        "--data-cache-path ${CACHE_DIR}"
        "--split '99,1,0'"
    )
fi

OUTPUT_ARGS=(
    --save "$CKPT_DIR"
    --load "$CKPT_DIR"
    --save-interval 1000
    --ckpt-format torch_dist
    --eval-interval 100
    --eval-iters 32
    --log-interval 10
    --log-throughput
    --tensorboard-dir "$TB_DIR"
)

torchrun ${LAUNCH_ARGS[@]} pretrain_gpt.py \
    ${MODEL_ARGS[@]} \
    ${TRAINING_ARGS[@]} \
    ${FP8_ARGS[@]} \
    ${PARALLEL_ARGS[@]} \
    ${DATA_ARGS[@]} \
    ${OUTPUT_ARGS[@]}
