#!/bin/bash
# Deletions Hydra refuses: the config has no warmup_ratio, and min_lr is 3e-5, not 1e-5.
python megatron_gpt_pretraining.py --config-path=conf --config-name=gpt_1b \
    ~model.optim.sched.warmup_ratio \
    ~model.optim.sched.min_lr=1e-5
