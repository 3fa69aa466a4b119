#!/bin/bash
# Starts the example with a global batch that 4 ranks x micro 4 do not divide.
GBS=$((25 * 4))
python megatron_gpt_pretraining.py --config-path=conf --config-name=megatron_gpt_config \
    trainer.devices=8 \
    model.global_batch_size=${GBS}
