#!/bin/bash
# Starts the example with a global batch of 2 x 256 on 2 nodes.
NNODES=${NNODES:-2}
python megatron_gpt_pretraining.py --config-path=conf --config-name=megatron_gpt_config \
    trainer.devices=8 trainer.num_nodes=${NNODES} \
    model.global_batch_size=$((256 * 2)) "$@"
