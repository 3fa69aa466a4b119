#!/bin/bash
# Deletions Hydra applies: constant_steps exists, and min_lr is the 3e-5 the config holds.
python megatron_gpt_pretraining.py --config-path=conf --config-name=gpt_1b \
    ~model.optim.sched.constant_steps \
    ~model.optim.sched.min_lr=3e-5
