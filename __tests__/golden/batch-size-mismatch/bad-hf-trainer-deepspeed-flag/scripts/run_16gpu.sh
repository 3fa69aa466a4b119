#!/bin/bash
deepspeed --num_gpus 8 --num_nodes 2 --hostfile hostfile train.py --config configs/sft.yaml --deepspeed configs/ds_z2.json
