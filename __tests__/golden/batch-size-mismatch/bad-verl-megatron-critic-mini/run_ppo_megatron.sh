#!/bin/bash
# PPO (GAE) with Megatron actor and critic: 2 nodes x 8 GPUs, TP 4 -> DP 4
set -x
python3 -m verl.trainer.main_ppo --config-name=ppo_megatron_trainer \
    data.train_files=$HOME/data/gsm8k/train.parquet \
    data.train_batch_size=64 \
    actor_rollout_ref.model.path=Qwen/Qwen2.5-7B-Instruct \
    actor_rollout_ref.actor.optim.lr=1e-6 \
    actor_rollout_ref.actor.ppo_mini_batch_size=32 \
    actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=2 \
    actor_rollout_ref.actor.megatron.tensor_model_parallel_size=4 \
    actor_rollout_ref.rollout.name=vllm \
    actor_rollout_ref.rollout.tensor_model_parallel_size=4 \
    actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=4 \
    critic.model.path=Qwen/Qwen2.5-7B-Instruct \
    critic.megatron.tensor_model_parallel_size=4 \
    critic.ppo_mini_batch_size=128 \
    critic.ppo_micro_batch_size_per_gpu=2 \
    trainer.n_gpus_per_node=8 \
    trainer.nnodes=2 \
    trainer.total_epochs=3
