#!/bin/bash
# 4 prompts x 2 responses over 8 ranks: 1 response per rank
set -x

python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    actor_rollout_ref.actor.optim.lr=1e-6 \
    actor_rollout_ref.rollout.tensor_model_parallel_size=2 \
    actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=16 \
    trainer.n_gpus_per_node=8 \
    trainer.nnodes=1 \
    trainer.total_training_steps=300 \
    trainer.save_freq=50 \
    trainer.test_freq=25 \
    data.train_batch_size=8 \
    actor_rollout_ref.actor.ppo_mini_batch_size=4 \
    actor_rollout_ref.rollout.n=2 \
    actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1 "$@"
