#!/bin/bash
# one TPU host: JAX sees its 8 chips in this one process
python -m levanter.main.train_lm --config_path config/gpt2_medium.yaml --trainer.num_train_steps 40000
