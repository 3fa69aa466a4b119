#!/bin/bash
# draccus applies the dotted flags over the YAML: a 1000-step run.
python -m levanter.main.train_lm --config_path config/gpt2.yaml --trainer.num_train_steps 1000
