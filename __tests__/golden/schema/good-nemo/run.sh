#!/bin/bash
# Valid overrides: an existing key, and an appended one.
python megatron_gpt_pretraining.py --config-path=conf --config-name=megatron_gpt_config \
    trainer.max_steps=20000 \
    +model.optim.sched.last_epoch=-1
