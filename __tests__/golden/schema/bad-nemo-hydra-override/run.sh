#!/bin/bash
# Overrides Hydra refuses against conf/megatron_gpt_config.yaml.
python megatron_gpt_pretraining.py --config-path=conf --config-name=megatron_gpt_config \
    trainer.devices=8 \
    trainer.max_step=2000 \
    +model.micro_batch_size=2
