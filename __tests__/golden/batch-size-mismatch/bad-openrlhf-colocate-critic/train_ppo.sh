#!/bin/bash
# PPO (gae): critic and reward model colocated but of different sizes (flat flags, OpenRLHF <= v0.9)
python3 -m openrlhf.cli.train_ppo_ray \
   --ref_num_nodes 1 --ref_num_gpus_per_node 8 \
   --reward_num_nodes 1 --reward_num_gpus_per_node 4 \
   --critic_num_nodes 1 --critic_num_gpus_per_node 8 \
   --actor_num_nodes 1 --actor_num_gpus_per_node 8 \
   --colocate_critic_reward \
   --pretrain OpenRLHF/Llama-3-8b-sft-mixture \
   --reward_pretrain OpenRLHF/Llama-3-8b-rm-mixture \
   --micro_train_batch_size 8 --train_batch_size 128 \
   --micro_rollout_batch_size 16 --rollout_batch_size 1024 \
   --max_epochs 1 --max_samples 100000 \
   --actor_learning_rate 5e-7 --critic_learning_rate 9e-6
