#!/bin/bash
# GRPO on 4 GPUs, 16 completions per prompt; gradient accumulation left to ms-swift
export NPROC_PER_NODE=4
export CUDA_VISIBLE_DEVICES=0,1,2,3
swift rlhf \
    --rlhf_type grpo \
    --model Qwen/Qwen2.5-Math-1.5B \
    --tuner_type full \
    --dataset AI-MO/NuminaMath-TIR#8000 \
    --reward_funcs accuracy format \
    --use_vllm true \
    --vllm_mode colocate \
    --per_device_train_batch_size 2 \
    --num_generations 16 \
    --learning_rate 1e-6 \
    --num_train_epochs 1 \
    --output_dir output/grpo_g16
