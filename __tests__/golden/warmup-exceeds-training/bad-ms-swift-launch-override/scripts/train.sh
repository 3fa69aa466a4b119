#!/bin/bash
# The flags after the config are parsed over its values: this run is 80 iterations with a 100-iteration warmup.
megatron sft configs/sft.yaml --train_iters 80 --save_steps 40
