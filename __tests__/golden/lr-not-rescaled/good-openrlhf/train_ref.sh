#!/bin/bash
# the tuned run: 128 responses per optimizer step
set -x

python3 -m openrlhf.cli.train_ppo_ray \
   --actor.num_nodes 1 \
   --actor.num_gpus_per_node 8 \
   --ref.num_nodes 1 \
   --ref.num_gpus_per_node 8 \
   --vllm.num_engines 4 \
   --vllm.tensor_parallel_size 2 \
   --train.colocate_all \
   --algo.advantage.estimator group_norm \
   --rollout.batch_size 128 \
   --rollout.n_samples_per_prompt 8 \
   --rollout.micro_batch_size 16 \
   --train.batch_size 128 \
   --train.micro_batch_size 8 \
   --train.max_epochs 1 \
   --data.max_samples 12800 \
   --actor.adam.lr 5e-7 \
   --ckpt.save_steps 20 \
   --eval.steps 10 \
   --ds.zero_stage 3
